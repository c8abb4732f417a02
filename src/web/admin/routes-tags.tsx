// Owns the tags page (create, rename, recolour, delete: tags are global, so the owner's; agents see
// them and put them on messages) and the owner's review of reported messages.
import { Hono } from 'hono';
import type { TagStore } from '../../store/ports.js';
import { TAG_COLOURS, type TagColour } from '../../store/tags.js';
import { ReportsPage } from '../../../views/reports.js';
import { TagsPage } from '../../../views/tags.js';
import { paramId } from './param-id.js';
import { frameOf, type AdminEnv } from './session.js';

/** The tags page and the reports review over the tags port (both databases). */
export function tagRoutes(tags: TagStore): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const frame = frameOf;
  const page = async (c: any, status: 200 | 400 | 403 | 409 = 200, error?: string) =>
    c.html(<TagsPage {...frame(c)} tags={await tags.list()} error={error} />, status);
  // Tags are global objects: creating, renaming, recolouring and deleting them is the owner's.
  const ownerOnly = async (c: any, next: () => Promise<void>) => (c.get('user').role === 'owner' ? next() : page(c, 403, 'Only the owner changes tags.'));
  app.post('/tags', ownerOnly);
  app.post('/tags/*', ownerOnly);
  const read = async (c: any): Promise<{ name: string; colour: TagColour } | string> => {
    const form = await c.req.parseBody();
    const name = String(form.name ?? '').trim();
    const colour = String(form.colour ?? '');
    if (!name || name.length > 40) return 'A tag needs a name of at most 40 characters.';
    if (!(TAG_COLOURS as readonly string[]).includes(colour)) return 'Pick one of the colours.';
    return { name, colour: colour as TagColour };
  };

  app.get('/tags', (c) => page(c));

  app.post('/tags', async (c) => {
    const t = await read(c);
    if (typeof t === 'string') return page(c, 400, t);
    if (!(await tags.create(t.name, t.colour))) return page(c, 409, `A tag named "${t.name}" already exists.`);
    return c.redirect('/tags', 303);
  });

  app.post('/tags/:id', async (c) => {
    const id = paramId(c.req.param('id'));
    if (!(await tags.get(id))) return c.text('No such tag.', 404);
    const t = await read(c);
    if (typeof t === 'string') return page(c, 400, t);
    if (!(await tags.update(id, t.name, t.colour))) return page(c, 409, `A tag named "${t.name}" already exists.`);
    return c.redirect('/tags', 303);
  });

  app.post('/tags/:id/delete', async (c) => {
    await tags.remove(paramId(c.req.param('id')));
    return c.redirect('/tags', 303);
  });

  // Reported messages: the owner reviews them (any store).
  app.get('/reports', async (c) => {
    if (c.get('user').role !== 'owner') return c.text('Only the owner reviews reports.', 403);
    return c.html(<ReportsPage {...frame(c)} reports={await tags.openReports()} />);
  });

  app.post('/reports/:id/resolve', async (c) => {
    if (c.get('user').role !== 'owner') return c.text('Only the owner reviews reports.', 403);
    await tags.resolveReport(paramId(c.req.param('id')));
    return c.redirect('/reports', 303);
  });

  return app;
}
