// Owns the templates pages: global templates are the owner's; anyone may keep templates for the
// stores they work on.
import { Hono } from 'hono';
import type { MarketStore, TemplateStore } from '../../store/ports.js';
import { TemplatePage, TemplatesPage } from '../../../views/templates.js';
import { paramId } from './param-id.js';
import { frameOf, type AdminEnv } from './session.js';

/** The pages over the templates port; store names from the market port (both databases). */
export function templateRoutes(templates: TemplateStore, stores: Pick<MarketStore, 'stores'>): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const frame = frameOf;
  const visibleStores = async (ids: readonly number[]) => (await stores.stores()).filter((s) => ids.includes(s.id)).map((s) => ({ id: s.id, name: s.name }));
  // A user may change a template of a store they see; a global one only as the owner.
  const mayEdit = (c: { get: (k: 'user' | 'storeIds') => any }, storeId: number | null) =>
    storeId === null ? c.get('user').role === 'owner' : (c.get('storeIds') as number[]).includes(storeId);

  const list = async (c: any, status: 200 | 400 = 200, error?: string) =>
    c.html(
      <TemplatesPage
        {...frame(c)}
        templates={await templates.visible(c.get('storeIds'))}
        stores={await visibleStores(c.get('storeIds'))}
        canGlobal={c.get('user').role === 'owner'}
        error={error}
      />,
      status,
    );

  app.get('/templates', (c) => list(c));

  app.post('/templates', async (c) => {
    const form = await c.req.parseBody();
    const storeId = form.storeId ? Number(form.storeId) : null;
    const name = String(form.name ?? '').trim();
    const subject = String(form.subject ?? '').trim();
    const body = String(form.body ?? '');
    if (!mayEdit(c, storeId)) return list(c, 400, 'You may not add a template there.');
    if (!name || !subject || !body.trim()) return list(c, 400, 'A template needs a name, a subject and a text.');
    await templates.create({ storeId, name, subject, body });
    return c.redirect('/templates', 303);
  });

  app.get('/templates/:id', async (c) => {
    const t = await templates.get(paramId(c.req.param('id')));
    if (!t || !mayEdit(c, t.storeId)) return c.text('No such template.', 404);
    return c.html(<TemplatePage {...frame(c)} t={t} stores={await visibleStores(c.get('storeIds'))} />);
  });

  app.post('/templates/:id', async (c) => {
    const t = await templates.get(paramId(c.req.param('id')));
    if (!t || !mayEdit(c, t.storeId)) return c.text('No such template.', 404);
    const form = await c.req.parseBody();
    const name = String(form.name ?? '').trim();
    const subject = String(form.subject ?? '').trim();
    const body = String(form.body ?? '');
    if (!name || !subject || !body.trim()) return list(c, 400, 'A template needs a name, a subject and a text.');
    await templates.update(t.id, { name, subject, body });
    return c.redirect('/templates', 303);
  });

  app.post('/templates/:id/delete', async (c) => {
    const t = await templates.get(paramId(c.req.param('id')));
    if (!t || !mayEdit(c, t.storeId)) return c.text('No such template.', 404);
    await templates.remove(t.id);
    return c.redirect('/templates', 303);
  });

  return app;
}
