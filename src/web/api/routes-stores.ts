// Owns /api/v1/stores and /api/v1/permitted-senders. storeRoutes are the core (create, list and get
// stores; add and list permitted senders) on the storage ports, served on SQLite and PostgreSQL
// alike; storeSettingsRoutes (policy, sender status, readiness, app passwords) too, on the admin's
// store port (AdminStore: the same code as the admin's store pages). Who may change what is
// usecases/store-rights.ts, as in the admin: a caller without the owner's rights gets 403 OWNER_ONLY.
import { Hono, type Context } from 'hono';
import { senderReadiness } from '../../dns/sender-readiness.js';
import { addPermittedSender, createStore, type Problem, type StoreWrites } from '../../usecases/stores.js';
import { apiError } from '../api-error.js';
import { refusedApiAction } from './caller.js';
import type { CoreApiDeps } from './deps.js';
import type { AdminStore } from '../../store/admin-ports.js';
import { newAppPassword } from '../../store/credentials.js';
import { hashPassword } from '../../store/passwords.js';
import { presentCredential, presentSender, presentStore } from './present.js';
import { createCredentialSchema, createSenderSchema, createStoreSchema, patchPolicySchema, patchSenderSchema } from './schemas.js';
import { idParam, jsonBody } from './validate.js';

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** A use case's problem as the API's error: 409 for a conflict, 400 otherwise. */
function refused(c: Context, p: Problem) {
  return p.kind === 'conflict' ? apiError(c, 'CONFLICT', p.rule) : apiError(c, 'VALIDATION_FAILED', `${p.field}: ${p.rule}`);
}

/** The core: on both databases, through the ports (d.market, d.mail). */
export function storeRoutes(d: CoreApiDeps): Hono {
  const app = new Hono();

  app.post('/stores', async (c) => {
    const denied = refusedApiAction(c, 'create-store');
    if (denied) return denied;
    const body = await jsonBody(c, createStoreSchema);
    const created = await createStore(storeWrites(d), d.domains, body);
    return 'problem' in created ? refused(c, created.problem) : c.json(presentStore(created.store, d.domain), 201);
  });

  app.get('/stores', async (c) => c.json({ items: (await d.market.stores()).map((s) => presentStore(s, d.domain)) }));

  app.get('/stores/:id', async (c) => {
    const store = await d.market.store(idParam(c));
    return store ? c.json(presentStore(store, d.domain)) : apiError(c, 'NOT_FOUND', 'no store with that id');
  });

  app.post('/stores/:id/permitted-senders', async (c) => {
    const denied = refusedApiAction(c, 'add-sender');
    if (denied) return denied;
    const storeId = idParam(c);
    const body = await jsonBody(c, createSenderSchema);
    if (!(await d.market.store(storeId))) return apiError(c, 'NOT_FOUND', 'no store with that id');
    const added = await addPermittedSender(storeWrites(d), d.domains, storeId, body.email, body.status);
    if ('problem' in added) return refused(c, added.problem);
    const sender = added.sender;
    // Tell the admin now whether replies from this domain can authenticate (SPF/DKIM/DMARC).
    return c.json({ ...presentSender(sender), domainReadiness: await senderReadiness(d.resolver, sender.email) }, 201);
  });

  app.get('/stores/:id/permitted-senders', async (c) => {
    const storeId = idParam(c);
    if (!(await d.market.store(storeId))) return apiError(c, 'NOT_FOUND', 'no store with that id');
    return c.json({ items: (await d.mail.senders(storeId)).map(presentSender) });
  });

  return app;
}

function storeWrites(d: CoreApiDeps): StoreWrites {
  return {
    storeBySlug: (slug) => d.mail.storeBySlug(slug),
    findSender: (storeId, email) => d.mail.findSender(storeId, email),
    createStore: (input) => d.market.createStore(input),
    addSender: (storeId, email, status) => d.market.addSender(storeId, email, status),
  };
}

/** What the store settings routes use: the admin's store and app password ports (shared with its store pages). */
export interface StoreSettingsDeps {
  readonly resolver: CoreApiDeps['resolver'];
  readonly admin: Pick<AdminStore, 'stores' | 'credentials'>;
  /** Where staff point their mail client; null when the submission port is off. */
  readonly submission: () => { readonly host: string; readonly port: number; readonly implicitTlsPort: number | null } | null;
}

/** Store settings, sender status, readiness and app passwords: on both databases, through AdminStore. */
export function storeSettingsRoutes(d: StoreSettingsDeps): Hono {
  const app = new Hono();
  const { stores, credentials } = d.admin;

  app.get('/stores/:id/policy', async (c) => {
    const storeId = idParam(c);
    if (!(await stores.get(storeId))) return apiError(c, 'NOT_FOUND', 'no store with that id');
    return c.json(await stores.policy(storeId));
  });

  app.patch('/stores/:id/policy', async (c) => {
    const denied = refusedApiAction(c, 'policy');
    if (denied) return denied;
    const storeId = idParam(c);
    const body = await jsonBody(c, patchPolicySchema);
    if (!(await stores.get(storeId))) return apiError(c, 'NOT_FOUND', 'no store with that id');
    return c.json(await stores.setPolicy(storeId, body));
  });

  app.get('/permitted-senders/:id/readiness', async (c) => {
    const sender = await stores.sender(idParam(c));
    if (!sender) return apiError(c, 'NOT_FOUND', 'no permitted sender with that id');
    return c.json(await senderReadiness(d.resolver, sender.email));
  });

  app.patch('/permitted-senders/:id', async (c) => {
    const id = idParam(c);
    const body = await jsonBody(c, patchSenderSchema);
    const denied = refusedApiAction(c, body.status === 'enabled' ? 'enable-sender' : 'block-sender');
    if (denied) return denied;
    const updated = await stores.setSenderStatus(id, body.status);
    return updated ? c.json(presentSender(updated)) : apiError(c, 'NOT_FOUND', 'no permitted sender with that id');
  });

  // App passwords for the submission port: the password is in this answer and nowhere else (only its scrypt hash is stored).
  app.post('/permitted-senders/:id/credentials', async (c) => {
    const denied = refusedApiAction(c, 'issue-app-password');
    if (denied) return denied;
    const id = idParam(c);
    const body = await jsonBody(c, createCredentialSchema);
    const sender = await stores.sender(id);
    if (!sender) return apiError(c, 'NOT_FOUND', 'no permitted sender with that id');
    if (sender.status !== 'enabled') return apiError(c, 'CONFLICT', 'the permitted sender is blocked; enable it before issuing an app password');
    const password = newAppPassword();
    const credential = await credentials.insert(id, body.label, await hashPassword(password));
    const server = d.submission();
    return c.json(
      {
        ...presentCredential(credential),
        username: sender.email,
        password,
        server: server
          ? { host: server.host, port: server.port, security: 'STARTTLS', implicitTlsPort: server.implicitTlsPort, auth: ['PLAIN', 'LOGIN'] }
          : null,
        note: server
          ? 'The password is shown only now; store it in the mail client. Revoke it with DELETE /api/v1/credentials/{id}.'
          : 'The password is shown only now, but the submission port is off (no TLS certificate: set tls.cert and tls.key), so it cannot be used yet. Revoke it with DELETE /api/v1/credentials/{id}.',
      },
      201,
    );
  });

  app.get('/permitted-senders/:id/credentials', async (c) => {
    const id = idParam(c);
    if (!(await stores.sender(id))) return apiError(c, 'NOT_FOUND', 'no permitted sender with that id');
    return c.json({ items: (await credentials.list(id)).map(presentCredential) });
  });

  app.delete('/credentials/:id', async (c) => {
    const denied = refusedApiAction(c, 'revoke-app-password');
    if (denied) return denied;
    const revoked = await credentials.revoke(idParam(c));
    return revoked ? c.json(presentCredential(revoked)) : apiError(c, 'NOT_FOUND', 'no credential with that id');
  });

  return app;
}
