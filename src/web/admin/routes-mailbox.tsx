// Owns the public confirmation of a store's new mailbox, authorised by the signed link alone (the
// new mailbox's reader need not have an account): GET shows what will change, the POST applies it.
import { Hono } from 'hono';
import { MailboxConfirmInvalid, MailboxConfirmPage } from '../../../views/mailbox-confirm.js';
import type { MailboxConfirmation } from './mailbox-confirmation.js';
import { sameOrigin, type AdminEnv } from './session.js';
import type { MailboxChange, StoreAdminStore } from '../../store/ports.js';

const WHY = {
  unknown: 'Copy the whole link from the email.',
  expired: 'It has expired. Ask the owner to change the mailbox again; a new link will be sent.',
  settled: 'It was used already, or a newer change replaced it.',
} as const;

export function mailboxConfirmRoutes(mc: MailboxConfirmation, stores: Pick<StoreAdminStore, 'get'>): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const usable = async (token: string): Promise<{ why: string } | { change: MailboxChange }> => {
    const change = await mc.resolve(token);
    if (!change) return { why: WHY.unknown };
    if (change.settledAt !== null) return { why: WHY.settled };
    if (change.expiresAt <= Date.now()) return { why: WHY.expired };
    return { change };
  };

  app.get('/mailbox/confirm', async (c) => {
    c.header('Cache-Control', 'no-store');
    c.header('X-Robots-Tag', 'noindex');
    const u = await usable(c.req.query('t') ?? '');
    if ('why' in u) return c.html(<MailboxConfirmInvalid why={u.why} />, 404);
    const store = await stores.get(u.change.storeId);
    if (!store) return c.html(<MailboxConfirmInvalid why={WHY.unknown} />, 404);
    return c.html(<MailboxConfirmPage token={c.req.query('t') ?? ''} storeName={store.name} mailbox={u.change.mailbox} />);
  });

  app.post('/mailbox/confirm', async (c) => {
    if (!sameOrigin(c)) return c.text('Cross-site request refused.', 403);
    const token = String((await c.req.parseBody()).t ?? '');
    const u = await usable(token);
    if ('why' in u) return c.html(<MailboxConfirmInvalid why={u.why} />, 404);
    const outcome = await mc.confirm(u.change);
    if (!outcome.ok) return c.html(<MailboxConfirmInvalid why={WHY[outcome.reason]} />, 404);
    return c.html(<MailboxConfirmPage token="" storeName={outcome.store.name} mailbox={outcome.store.mailbox} done />);
  });
  return app;
}
