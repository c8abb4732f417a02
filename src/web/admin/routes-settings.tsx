// Owns the owner's settings page: banned words (global and per store) and the category rules.
import { Hono } from 'hono';
import { CATEGORIES, type Category, type CategoryRule } from '../../core/categorize.js';
import type { MarketStore, SettingsStore } from '../../store/ports.js';
import { SettingsPage } from '../../../views/settings.js';
import type { AdminEnv } from './session.js';
import { paramId } from './param-id.js';

/** The page over the settings port; the store names come from the market port (both databases). */
export function settingsRoutes(settings: SettingsStore, stores: Pick<MarketStore, 'stores' | 'store'>): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.use('/settings/*', async (c, next) => (c.get('user').role === 'owner' ? next() : c.text('Only the owner changes settings.', 403)));
  app.use('/settings', async (c, next) => (c.get('user').role === 'owner' ? next() : c.text('Only the owner changes settings.', 403)));
  const page = async (c: any, status: 200 | 400 | 409 = 200, error?: string, notice?: string) =>
    c.html(
      <SettingsPage
        user={{ name: c.get('user').name, role: c.get('user').role }}
        csrf={c.get('session').csrfToken}
        words={await settings.allBannedWords()}
        stores={(await stores.stores()).map((s) => ({ id: s.id, name: s.name }))}
        rules={await settings.categoryRules()}
        error={error}
        notice={notice}
      />,
      status,
    );

  app.get('/settings', (c) => page(c));

  app.post('/settings/banned-words', async (c) => {
    const form = await c.req.parseBody();
    const word = String(form.word ?? '')
      .trim()
      .replace(/\s+/g, ' ');
    const storeId = form.storeId ? paramId(String(form.storeId)) : null;
    if (!word || word.length > 100) return page(c, 400, 'A banned word or phrase has 1 to 100 characters.');
    if (storeId !== null && !(await stores.store(storeId))) return page(c, 400, 'No such store.');
    if (!(await settings.addBannedWord(word, storeId))) return page(c, 409, `"${word}" is already on that list.`);
    return c.redirect('/settings', 303);
  });

  app.post('/settings/banned-words/:id/delete', async (c) => {
    await settings.removeBannedWord(paramId(c.req.param('id')));
    return c.redirect('/settings', 303);
  });

  app.post('/settings/category-rules', async (c) => {
    const form = await c.req.parseBody({ all: true });
    const list = (k: string) => ([] as unknown[]).concat(form[k] ?? []).map(String);
    const fields = list('field');
    const patterns = list('pattern');
    const categories = list('category');
    const next: CategoryRule[] = [];
    for (let i = 0; i < patterns.length; i++) {
      const pattern = (patterns[i] ?? '').trim().slice(0, 100);
      if (!pattern) continue;
      const field = fields[i] === 'sender' ? 'sender' : 'subject';
      const category = categories[i] ?? '';
      if (!(CATEGORIES as readonly string[]).includes(category) || category === 'sent') return page(c, 400, `Unknown category "${category}".`);
      next.push({ field, pattern, category: category as Category });
    }
    await settings.replaceCategoryRules(next);
    return page(c, 200, undefined, `Saved ${next.length} rule(s). They apply to mail that arrives from now on.`);
  });

  return app;
}
