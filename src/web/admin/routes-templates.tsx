// Owns the templates pages: global templates are the owner's; anyone may keep templates for the
// stores they work on.
import { Hono } from 'hono';
import type { StoreRepo } from '../../store/stores.js';
import type { TemplateRepo } from '../../store/templates.js';
import { TemplatePage, TemplatesPage } from '../../../views/templates.js';
import { frameOf, type AdminEnv } from './session.js';

export function templateRoutes(templates: TemplateRepo, stores: StoreRepo): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const frame = frameOf;
  const visibleStores = (ids: readonly number[]) =>
    stores
      .list()
      .filter((s) => ids.includes(s.id))
      .map((s) => ({ id: s.id, name: s.name }));
  // A user may change a template of a store they see; a global one only as the owner.
  const mayEdit = (c: { get: (k: 'user' | 'storeIds') => any }, storeId: number | null) =>
    storeId === null ? c.get('user').role === 'owner' : (c.get('storeIds') as number[]).includes(storeId);

  const list = (c: any, status: 200 | 400 = 200, error?: string) =>
    c.html(
      <TemplatesPage
        {...frame(c)}
        templates={templates.visible(c.get('storeIds'))}
        stores={visibleStores(c.get('storeIds'))}
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
    templates.create({ storeId, name, subject, body });
    return c.redirect('/templates', 303);
  });

  app.get('/templates/:id', (c) => {
    const t = templates.get(Number(c.req.param('id')));
    if (!t || !mayEdit(c, t.storeId)) return c.text('No such template.', 404);
    return c.html(<TemplatePage {...frame(c)} t={t} stores={visibleStores(c.get('storeIds'))} />);
  });

  app.post('/templates/:id', async (c) => {
    const t = templates.get(Number(c.req.param('id')));
    if (!t || !mayEdit(c, t.storeId)) return c.text('No such template.', 404);
    const form = await c.req.parseBody();
    const name = String(form.name ?? '').trim();
    const subject = String(form.subject ?? '').trim();
    const body = String(form.body ?? '');
    if (!name || !subject || !body.trim()) return list(c, 400, 'A template needs a name, a subject and a text.');
    templates.update(t.id, { name, subject, body });
    return c.redirect('/templates', 303);
  });

  app.post('/templates/:id/delete', (c) => {
    const t = templates.get(Number(c.req.param('id')));
    if (!t || !mayEdit(c, t.storeId)) return c.text('No such template.', 404);
    templates.remove(t.id);
    return c.redirect('/templates', 303);
  });

  return app;
}
