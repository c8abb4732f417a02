// Owns the owner's settings page: banned words (global and per store) and the category rules.
import { Hono } from 'hono';
import { CATEGORIES, type Category, type CategoryRule } from '../../core/categorize.js';
import type { BannedWordRepo } from '../../store/banned-words.js';
import type { CategoryRuleRepo } from '../../store/category-rules.js';
import type { StoreRepo } from '../../store/stores.js';
import { SettingsPage } from '../../../views/settings.js';
import type { AdminEnv } from './session.js';

export function settingsRoutes(banned: BannedWordRepo, rules: CategoryRuleRepo, stores: StoreRepo): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.use('/settings/*', async (c, next) => (c.get('user').role === 'owner' ? next() : c.text('Only the owner changes settings.', 403)));
  app.use('/settings', async (c, next) => (c.get('user').role === 'owner' ? next() : c.text('Only the owner changes settings.', 403)));
  const page = (c: any, status: 200 | 400 | 409 = 200, error?: string, notice?: string) =>
    c.html(
      <SettingsPage
        user={{ name: c.get('user').name, role: c.get('user').role }}
        csrf={c.get('session').csrfToken}
        words={banned.all()}
        stores={stores.list().map((s) => ({ id: s.id, name: s.name }))}
        rules={rules.list()}
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
    const storeId = form.storeId ? Number(form.storeId) : null;
    if (!word || word.length > 100) return page(c, 400, 'A banned word or phrase has 1 to 100 characters.');
    if (storeId !== null && !stores.get(storeId)) return page(c, 400, 'No such store.');
    try {
      banned.add(word, storeId);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return page(c, 409, `"${word}" is already on that list.`);
      throw err;
    }
    return c.redirect('/settings', 303);
  });

  app.post('/settings/banned-words/:id/delete', (c) => {
    banned.remove(Number(c.req.param('id')));
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
    rules.replace(next);
    return page(c, 200, undefined, `Saved ${next.length} rule(s). They apply to mail that arrives from now on.`);
  });

  return app;
}
