// Owns the notification rules page: the owner sets rules for anyone; an agent for themselves.
import { Hono } from 'hono';
import { CATEGORIES, type Category } from '../../core/categorize.js';
import type { MarketStore, NotificationStore } from '../../store/ports.js';
import { NotificationsPage } from '../../../views/notifications.js';
import type { AdminEnv } from './session.js';
import { paramId } from './param-id.js';

const minutes = (v: string) => {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(v);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
};

/** The page over the notifications port; store names from the market port (both databases). */
export function notificationRoutes(repo: NotificationStore, stores: Pick<MarketStore, 'stores'>, timeZone: string): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const page = async (c: any, status: 200 | 400 = 200, error?: string) => {
    const me = c.get('user');
    const owner = me.role === 'owner';
    return c.html(
      <NotificationsPage
        user={{ name: me.name, role: me.role }}
        csrf={c.get('session').csrfToken}
        rules={owner ? await repo.rules() : await repo.rules(me.id)}
        users={(owner ? await repo.members() : [me]).map((u: { id: number; name: string }) => ({ id: u.id, name: u.name }))}
        stores={(await stores.stores()).filter((s) => (c.get('storeIds') as number[]).includes(s.id)).map((s) => ({ id: s.id, name: s.name }))}
        timeZone={timeZone}
        error={error}
      />,
      status,
    );
  };

  app.get('/notifications', (c) => page(c));

  app.post('/notifications', async (c) => {
    const me = c.get('user');
    const form = await c.req.parseBody({ all: true });
    const one = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : '');
    const userId = paramId(one('userId'));
    if (me.role !== 'owner' && userId !== me.id) return page(c, 400, 'An agent sets rules for themselves only.');
    if (!(await repo.member(userId))) return page(c, 400, 'No such user.');
    const category = one('category');
    if (category && (!(CATEGORIES as readonly string[]).includes(category) || category === 'sent')) return page(c, 400, 'Unknown category.');
    const storeId = one('storeId') ? paramId(one('storeId')) : null;
    if (storeId !== null && !c.get('storeIds').includes(storeId)) return page(c, 400, 'No such store.');
    const days = ([] as unknown[])
      .concat(form.day ?? [])
      .map(Number)
      .filter((d) => Number.isInteger(d) && d >= 0 && d <= 6);
    const weekdays = days.reduce((bits, d) => bits | (1 << d), 0);
    const start = minutes(one('start'));
    const end = minutes(one('end'));
    if (!weekdays || start === null || end === null) return page(c, 400, 'Pick at least one day and give both times as HH:MM.');
    await repo.addRule({ userId, category: (category || null) as Category | null, storeId, weekdays, startMinute: start, endMinute: end });
    return c.redirect('/notifications', 303);
  });

  app.post('/notifications/:id/delete', async (c) => {
    const me = c.get('user');
    const rule = await repo.rule(paramId(c.req.param('id')));
    if (!rule || (me.role !== 'owner' && rule.userId !== me.id)) return c.text('No such rule.', 404);
    await repo.removeRule(rule.id);
    return c.redirect('/notifications', 303);
  });

  return app;
}
