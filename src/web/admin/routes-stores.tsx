// Owns the stores page and messaging permissions: add permitted senders, block and enable them, issue
// app passwords, and change the store's messaging rules (checked by core/policy-limits.ts, like the API).
// Who may do what is usecases/store-rights.ts, shared with the API: the store's identity and policy
// (its name, mailbox, permitted senders, app passwords, rules, assignment) are the owner's; taking
// trust away (block, remove, revoke) is open to the store's agents too: making things safer does
// not wait for the owner. An agent's page shows only the controls they may use.
import { Hono, type Context } from 'hono';
import { checkPolicyChange, POLICY_LIMITS } from '../../core/policy-limits.js';
import { senderReadiness } from '../../dns/sender-readiness.js';
import type { DnsResolver } from '../../dns/resolver.js';
import { newAppPassword } from '../../store/credentials.js';
import { hashPassword } from '../../store/passwords.js';
import type { AdminStore, StoreRow } from '../../store/ports.js';
import { addPermittedSender, createStore, mailboxProblem, type StoreWrites } from '../../usecases/stores.js';
import type { MailboxConfirmation } from './mailbox-confirmation.js';
import { Credentials, ReadinessCell, SenderRows, StorePage, StoresPage, type SubmissionServer } from '../../../views/stores.js';
import { frameOf, type AdminEnv } from './session.js';
import { refusedStoreAction, storeActionsOf } from './store-rights.js';
import { paramId } from './param-id.js';

export type { SubmissionServer };

export function storeAdminRoutes(
  admin: Pick<AdminStore, 'stores' | 'credentials'>,
  /** The store rules' reads and writes (usecases/stores.ts), shared with the API. */
  writes: StoreWrites,
  resolver: DnsResolver,
  domains: readonly string[],
  mailboxes: MailboxConfirmation,
  submission: () => SubmissionServer | null,
): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const { stores, credentials } = admin;
  const frame = frameOf;
  const storeFor = async (c: { get: (k: 'storeIds') => number[] }, id: number) => (c.get('storeIds').includes(id) ? stores.get(id) : null);

  const credsOf = async (storeId: number) =>
    new Map(await Promise.all((await stores.senders(storeId)).map(async (p) => [p.id, await credentials.list(p.id)] as const)));
  const storesPage = async (c: any, status: 200 | 400 | 409 = 200, error?: string, typed?: { name: string; slug: string; mailbox: string }) => {
    const list = await Promise.all(
      (await stores.list()).filter((s) => c.get('storeIds').includes(s.id)).map(async (s) => ({ ...s, bound: await stores.bound(s.id) })),
    );
    return c.html(<StoresPage {...frame(c)} stores={list} domain={domains[0] as string} error={error} typed={typed} />, status);
  };
  /** One store's page, with the answer to the last action. */
  const storePage = async (c: Context<AdminEnv>, store: StoreRow, status: 200 | 400 | 403 | 409 = 200, error?: string, notice?: string) =>
    c.html(
      <StorePage
        {...frame(c)}
        may={storeActionsOf(c)}
        store={store}
        senders={await stores.senders(store.id)}
        creds={await credsOf(store.id)}
        server={submission()}
        policy={await stores.policy(store.id)}
        roundRobin={await stores.roundRobin(store.id)}
        pendingMailbox={await mailboxes.pending(store.id)}
        error={error}
        notice={notice}
      />,
      status,
    );

  app.get('/stores', (c) => storesPage(c));

  // A new store: the owner only (agents are given stores, they do not make them).
  app.post('/stores', async (c) => {
    const refused = refusedStoreAction(c, 'create-store');
    if (refused) return refused;
    const form = await c.req.parseBody();
    const name = String(form.name ?? '').trim();
    const slug = String(form.slug ?? '')
      .trim()
      .toLowerCase();
    const mailbox = String(form.mailbox ?? '')
      .trim()
      .toLowerCase();
    // A refusal keeps what was typed, so only the one wrong field needs fixing.
    const typed = { name, slug, mailbox };
    const created = await createStore(writes, domains, typed);
    if ('problem' in created) return storesPage(c, created.problem.kind === 'conflict' ? 409 : 400, created.problem.text, typed);
    const store = created.store;
    return c.redirect(`/stores/${store.id}`, 303);
  });

  app.get('/stores/:id', async (c) => {
    const store = await storeFor(c, paramId(c.req.param('id')));
    if (!store) return c.text('No such store.', 404);
    return storePage(c, store);
  });

  // The store's messaging rules: the owner only; the same limits as PATCH /api/v1/stores/{id}/policy.
  app.post('/stores/:id/policy', async (c) => {
    const store = await storeFor(c, paramId(c.req.param('id')));
    if (!store) return c.text('No such store.', 404);
    const refused = refusedStoreAction(c, 'policy');
    if (refused) return refused;
    const form = await c.req.parseBody();
    // An unticked checkbox sends nothing: every switch is given, on or off.
    const change: Record<string, boolean | number> = {};
    for (const l of POLICY_LIMITS) {
      const raw = form[l.key];
      if (l.kind === 'boolean') change[l.key] = raw === '1';
      else if (typeof raw === 'string' && raw.trim() !== '') change[l.key] = Number(raw.trim());
    }
    const checked = checkPolicyChange(change);
    if ('error' in checked) return storePage(c, store, 400, `The rules were not saved: ${checked.error}.`);
    await stores.setPolicy(store.id, checked.ok);
    return storePage(c, store, 200, undefined, 'Messaging rules saved.');
  });

  // Round-robin: a conversation's first buyer message gives it to the next enabled agent of the
  // store (the owners when it has none), in the same transaction (a trigger, migration 012).
  app.post('/stores/:id/assignment', async (c) => {
    const store = await storeFor(c, paramId(c.req.param('id')));
    if (!store) return c.text('No such store.', 404);
    const refused = refusedStoreAction(c, 'assignment');
    if (refused) return refused;
    const on = (await c.req.parseBody()).roundRobin === '1';
    await stores.setRoundRobin(store.id, on);
    return storePage(c, store, 200, undefined, on ? 'New conversations now go to the store’s agents in turn.' : 'New conversations are left unassigned.');
  });

  app.post('/stores/:id', async (c) => {
    const store = await storeFor(c, paramId(c.req.param('id')));
    if (!store) return c.text('No such store.', 404);
    const form = await c.req.parseBody();
    const name = String(form.name ?? '').trim();
    const mailbox = String(form.mailbox ?? '')
      .trim()
      .toLowerCase();
    // The name (the From: buyers see) and where buyer mail goes are both the owner's; the
    // sentence names the change asked for, the mailbox first. Refused before any check of the values.
    const refused = refusedStoreAction(c, mailbox !== store.mailbox ? 'mailbox' : 'rename');
    if (refused) return refused;
    const page = (s: StoreRow, status: 200 | 400, error?: string, notice?: string) => storePage(c, s, status, error, notice);
    const problem = !name ? 'A store needs a name.' : (mailboxProblem(mailbox, domains)?.text ?? null);
    if (problem) return page(store, 400, problem);
    // A new mailbox takes effect only once it confirms.
    if (mailbox === store.mailbox) return page((await stores.update(store.id, { name, mailbox })) ?? store, 200, undefined, 'Saved.');
    const updated = (await stores.update(store.id, { name, mailbox: store.mailbox })) ?? store;
    await mailboxes.request(updated, mailbox, c.get('user'));
    return page(
      updated,
      200,
      undefined,
      `Saved. A confirmation link was sent to ${mailbox}; mail goes there once it is opened. Until then it goes to ${store.mailbox}.`,
    );
  });

  app.post('/senders/:id/remove', async (c) => {
    const sender = await stores.sender(paramId(c.req.param('id')));
    const store = sender ? await storeFor(c, sender.storeId) : null;
    if (!sender || !store) return c.text('No such sender.', 404);
    const refused = refusedStoreAction(c, 'remove-sender');
    if (refused) return refused;
    const page = (status: 200 | 400, error?: string, notice?: string) => storePage(c, store, status, error, notice);
    if (sender.email === store.mailbox) return page(400, "The store's own mailbox stays a permitted sender; change the mailbox first.");
    const outcome = await stores.removeSender(sender.id);
    return page(
      200,
      undefined,
      outcome === 'removed' ? `${sender.email} was removed.` : `${sender.email} has written to buyers, so it stays on record, blocked.`,
    );
  });

  app.get('/senders/:id/readiness', async (c) => {
    const sender = await stores.sender(paramId(c.req.param('id')));
    if (!sender || !(await storeFor(c, sender.storeId))) return c.text('No such sender.', 404);
    return c.html(<ReadinessCell r={await senderReadiness(resolver, sender.email)} submissionOpen={submission() !== null} />);
  });

  // App passwords for the submission port: the password is in this answer only.
  app.post('/senders/:id/credentials', async (c) => {
    const sender = await stores.sender(paramId(c.req.param('id')));
    if (!sender || !(await storeFor(c, sender.storeId))) return c.text('No such sender.', 404);
    const refused = refusedStoreAction(c, 'issue-app-password');
    if (refused) return refused;
    if (sender.status !== 'enabled') return c.text('Enable the sender first.', 409);
    const label =
      String((await c.req.parseBody()).label ?? '')
        .trim()
        .slice(0, 80) || 'mail client';
    const password = newAppPassword();
    await credentials.insert(sender.id, label, await hashPassword(password));
    return c.html(
      <Credentials
        senderId={sender.id}
        csrf={frame(c).csrf}
        creds={await credentials.list(sender.id)}
        enabled
        owner
        shown={{ username: sender.email, password }}
        server={submission()}
      />,
    );
  });

  app.post('/credentials/:id/revoke', async (c) => {
    const cred = await credentials.get(paramId(c.req.param('id')));
    const sender = cred ? await stores.sender(cred.permittedSenderId) : null;
    if (!cred || !sender || !(await storeFor(c, sender.storeId))) return c.text('No such credential.', 404);
    const refused = refusedStoreAction(c, 'revoke-app-password');
    if (refused) return refused;
    await credentials.revoke(cred.id);
    return c.html(
      <Credentials
        senderId={sender.id}
        csrf={frame(c).csrf}
        creds={await credentials.list(sender.id)}
        enabled={sender.status === 'enabled'}
        owner={storeActionsOf(c).has('issue-app-password')}
        server={submission()}
      />,
    );
  });

  app.post('/stores/:id/senders', async (c) => {
    const store = await storeFor(c, paramId(c.req.param('id')));
    if (!store) return c.text('No such store.', 404);
    const refused = refusedStoreAction(c, 'add-sender');
    if (refused) return refused;
    const email = String((await c.req.parseBody()).email ?? '')
      .trim()
      .toLowerCase();
    const page = (status: 200 | 400 | 409, error?: string, notice?: string) => storePage(c, store, status, error, notice);
    const added = await addPermittedSender(writes, domains, store.id, email);
    if ('problem' in added) return page(added.problem.kind === 'conflict' ? 409 : 400, added.problem.text);
    return page(200, undefined, `${email} may now write to this store's buyers.`);
  });

  app.post('/senders/:id/status', async (c) => {
    const sender = await stores.sender(paramId(c.req.param('id')));
    if (!sender || !(await storeFor(c, sender.storeId))) return c.text('No such sender.', 404);
    const status = String((await c.req.parseBody()).status ?? '');
    if (status !== 'enabled' && status !== 'blocked') return c.text('Status must be enabled or blocked.', 400);
    // Blocking is anyone's of the store; enabling (again) lets it write as the store: the owner's.
    const refused = refusedStoreAction(c, status === 'enabled' ? 'enable-sender' : 'block-sender');
    if (refused) return refused;
    await stores.setSenderStatus(sender.id, status);
    if (c.req.header('hx-request'))
      return c.html(
        <SenderRows
          senders={await stores.senders(sender.storeId)}
          csrf={frame(c).csrf}
          creds={await credsOf(sender.storeId)}
          server={submission()}
          owner={storeActionsOf(c).has('enable-sender')}
        />,
      );
    return c.redirect(`/stores/${sender.storeId}`, 303);
  });

  return app;
}
