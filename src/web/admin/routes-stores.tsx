// Owns the stores page and messaging permissions: add permitted senders, block and enable them.
import { Hono } from 'hono';
import type { StoreRepo } from '../../store/stores.js';
import { SenderRows, StorePage, StoresPage } from '../../../views/stores.js';
import type { AdminEnv } from './session.js';

const EMAIL = /^[^\s@"<>()[\]\\,;:]+@[a-z0-9.-]+\.[a-z]{2,}$/i;

export function storeAdminRoutes(stores: StoreRepo, domains: readonly string[]): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const frame = (c: { get: (k: 'user' | 'session') => any }) => ({
    user: { name: c.get('user').name, role: c.get('user').role },
    csrf: c.get('session').csrfToken as string,
  });
  const storeFor = (c: { get: (k: 'storeIds') => number[] }, id: number) => (c.get('storeIds').includes(id) ? stores.get(id) : null);

  app.get('/stores', (c) => {
    const list = stores.list().filter((s) => c.get('storeIds').includes(s.id));
    return c.html(<StoresPage {...frame(c)} stores={list} domain={domains[0] as string} />);
  });

  app.get('/stores/:id', (c) => {
    const store = storeFor(c, Number(c.req.param('id')));
    if (!store) return c.text('No such store.', 404);
    return c.html(<StorePage {...frame(c)} store={store} senders={stores.senders(store.id)} />);
  });

  app.post('/stores/:id/senders', async (c) => {
    const store = storeFor(c, Number(c.req.param('id')));
    if (!store) return c.text('No such store.', 404);
    const email = String((await c.req.parseBody()).email ?? '')
      .trim()
      .toLowerCase();
    const page = (status: 200 | 400 | 409, error?: string, notice?: string) =>
      c.html(<StorePage {...frame(c)} store={store} senders={stores.senders(store.id)} error={error} notice={notice} />, status);
    if (!EMAIL.test(email) || domains.some((d) => email.endsWith(`@${d}`)))
      return page(400, `${email || 'That'} is not an address that can be a permitted sender.`);
    if (stores.findSender(store.id, email)) return page(409, `${email} is already a permitted sender of this store.`);
    stores.addSender(store.id, email, 'enabled');
    return page(200, undefined, `${email} may now write to this store's buyers.`);
  });

  app.post('/senders/:id/status', async (c) => {
    const sender = stores.sender(Number(c.req.param('id')));
    if (!sender || !storeFor(c, sender.storeId)) return c.text('No such sender.', 404);
    const status = String((await c.req.parseBody()).status ?? '');
    if (status !== 'enabled' && status !== 'blocked') return c.text('Status must be enabled or blocked.', 400);
    stores.setSenderStatus(sender.id, status);
    if (c.req.header('hx-request')) return c.html(<SenderRows senders={stores.senders(sender.storeId)} csrf={frame(c).csrf} />);
    return c.redirect(`/stores/${sender.storeId}`, 303);
  });

  return app;
}
