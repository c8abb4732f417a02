// Owns the HTTP application: /healthz, the JSON API under /api/v1 behind a bearer token, and the admin.
// Built from the storage ports, so the API and the admin run the same code on SQLite and PostgreSQL.
// `db` (SQLite) is optional and only serves the probes /healthz and /readyz, which read the SQLite
// file here; a PostgreSQL node answers them itself (gateway-pg.ts).
import { Hono, type ErrorHandler } from 'hono';
import type { Logger } from 'pino';
import type { DnsResolver } from '../dns/resolver.js';
import { dnsRecords, type DkimKey } from '../outbound/dkim.js';
import type { Relay } from '../relay/pipeline.js';
import type { Metrics } from '../metrics.js';
import type { Db } from '../store/db.js';
import { apiError } from './api-error.js';
import { apiGuard, bearerMatches } from './api-token.js';
import { redactAddresses } from '../core/redact-addresses.js';
import { bannedWordRoutes } from './api/routes-banned-words.js';
import { messageRoutes, outboxRoutes } from './api/routes-mail.js';
import { erasureRoutes } from './api/routes-erasure.js';
import { orderChangeRoutes, orderRoutes } from './api/routes-orders.js';
import { storeRoutes, storeSettingsRoutes } from './api/routes-stores.js';
import type { Storage } from '../store/ports.js';
import { sqliteStorage } from '../store/sqlite/storage.js';
import { coreApiDeps } from './api/deps.js';
import type { NoticeQueue } from '../campaigns/sender.js';
import { SESSION_TTL_MS } from './admin/session.js';
import { campaignRoutes } from './api/routes-campaigns.js';
import { reportRoutes } from './api/routes-reports.js';
import { webhookRoutes } from './api/routes-webhooks.js';
import { websiteRoutes } from './api/routes-website.js';
import { conversationRoutes } from './api/routes-conversation.js';
import { orderImportRoutes } from './api/routes-order-import.js';
import type { CampaignDeps } from './api/deps.js';
import type { Unsubscribes } from '../campaigns/unsubscribe.js';
import { InvalidRequest } from './api/validate.js';
import type { AdminOptions } from './admin/admin.js';
import type { Check } from '../doctor.js';

export interface HttpAppOptions {
  /** The SQLite database, for the probes /healthz and /readyz only; absent on a PostgreSQL node. */
  readonly db?: Db | undefined;
  /** The storage ports (sessions living SESSION_TTL_MS); built over db when absent. */
  readonly storage?: Storage | undefined;
  readonly domains: readonly string[];
  readonly hostname: string;
  readonly dkimKey: DkimKey | null;
  readonly resolver: DnsResolver;
  readonly relay: Relay;
  /** Link rules, for the admin's live check of a reply. */
  readonly filters: { readonly linkAllowList: readonly string[]; readonly linkAction: 'redact' | 'refuse' };
  /** The time zone of notification windows. */
  readonly timeZone: string;
  /** Wakes the delivery worker (the admin's "retry now"). */
  readonly wake: () => void;
  /** The submission port staff configure in their mail client; null when it is off. */
  readonly submission: () => { readonly host: string; readonly port: number; readonly implicitTlsPort: number | null } | null;
  readonly log: Logger;
  /** Reports whether the listeners are up, and why commits stopped (a failed WAL sync) if they did, for /healthz and /readyz. */
  readonly health: () => { smtp: boolean; queueDepth: number; commitStopped?: string | null };
  readonly metrics: Metrics;
  /** Campaigns (still SQLite): with db. */
  readonly campaigns?: CampaignDeps | undefined;
  /** Queues a plain notice (the admin's mailbox confirmation); campaigns.notice when absent. */
  readonly notice?: NoticeQueue | undefined;
  /** Applies unsubscribes from the public page and the one-click POST (still SQLite): with db. */
  readonly unsubscribes?: Unsubscribes | undefined;
  /** `maskgate doctor`'s checks, for the admin's setup page. */
  readonly doctor: () => Promise<readonly Check[]>;
  /** `http.trustedProxies`: whose X-Forwarded-* headers count. */
  readonly trustedProxies: readonly string[];
  /** The admin's address as staff reach it, for links in mail. */
  readonly publicUrl: () => string;
}

export function createHttpApp(o: HttpAppOptions): Hono {
  const app = new Hono();
  const db = o.db;
  if (!o.storage && !db) throw new Error('createHttpApp: give storage or db');
  const storage = o.storage ?? sqliteStorage(db as Db, { sessionTtlMs: SESSION_TTL_MS });
  const notice: NoticeQueue =
    o.notice ??
    (async (to, subject, text) => {
      if (!o.campaigns) throw new Error('createHttpApp: no notice queue (give notice or campaigns)');
      return o.campaigns.notice(to, subject, text);
    });

  if (db) mountProbes(app, db, o.health);

  // Prometheus text format; scrape it with the API token (`authorization: Bearer …`), read from the database on every node.
  app.get('/metrics', async (c) => {
    if (!(await bearerMatches(storage.secrets, c.req.header('authorization')))) return apiError(c, 'UNAUTHORIZED');
    return c.body(await o.metrics.registry.metrics(), 200, { 'content-type': o.metrics.registry.contentType });
  });

  // The API's description of itself needs no token (it holds no data). Its module (zod-openapi and
  // every response schema) loads on the first request, not at start.
  app.get('/api/v1/openapi.json', async (c) => c.json((await import('./api/openapi.js')).openApiDocument()));

  app.route('/api/v1', apiRoutes(o, storage));
  // The admin (pages behind a staff login) takes every other path. Its pages, views and what they
  // use (sanitize-html, the parser for message previews, the API reference) load on its first
  // request: at rest, a gateway nobody has opened the admin of keeps ~10 MB less V8 heap.
  const admin = lazyAdmin({
    storage,
    resolver: o.resolver,
    domains: o.domains,
    hostname: o.hostname,
    dkimKey: o.dkimKey,
    wake: o.wake,
    timeZone: o.timeZone,
    filters: o.filters,
    relay: o.relay,
    log: o.log,
    doctor: o.doctor,
    notice,
    campaigns: o.campaigns,
    unsubscribes: o.unsubscribes,
    trustedProxies: o.trustedProxies,
    publicUrl: o.publicUrl,
    submission: o.submission,
  });
  app.all('*', async (c) => (await admin()).fetch(c.req.raw, c.env));

  app.notFound((c) => apiError(c, 'NOT_FOUND', 'not found'));
  app.onError(onError(o.log, o.domains));
  return app;
}

/**
 * What an error no route handled answers (the admin's too): JSON, as the API's errors. A path
 * parameter that is not valid percent-encoding (`%ZZ`, a cut-off UTF-8 sequence) throws URIError
 * when the route reads it: the client's input, so 400 and a sentence, never a 503 to retry. The
 * logged path keeps only the domain of an address in it (`DELETE /buyers/{email}`).
 */
function onError(log: Logger, domains: readonly string[]): ErrorHandler {
  return (err, c) => {
    if (err instanceof InvalidRequest) return apiError(c, 'VALIDATION_FAILED', err.message);
    if (err instanceof URIError) return apiError(c, 'VALIDATION_FAILED', 'the path is not valid percent-encoding (RFC 3986 §2.1)');
    const path = redactAddresses(new URL(c.req.url).pathname, domains);
    log.error({ event: 'http.error', method: c.req.method, path, err: err.message }, 'unexpected error');
    return apiError(c, 'TEMPORARY_FAILURE');
  };
}

/**
 * The admin application, made on first use (one import however many requests arrive while it
 * loads). Mounted by fetch rather than app.route, so it keeps the outer app's error handler itself.
 * A failed import is not kept: the next request tries again.
 */
function lazyAdmin(o: AdminOptions): () => Promise<Hono> {
  let loading: Promise<Hono> | undefined;
  return () =>
    (loading ??= import('./admin/admin.js').then(
      ({ createAdminApp }) => {
        const admin = createAdminApp(o) as unknown as Hono;
        admin.onError(onError(o.log, o.domains));
        return admin;
      },
      (err: unknown) => {
        loading = undefined;
        throw err;
      },
    ));
}

/** /healthz and /readyz on SQLite: the file answers and takes a write, the listeners are up, commits have not stopped. */
function mountProbes(app: Hono, db: Db, health: HttpAppOptions['health']): void {
  app.get('/healthz', (c) => {
    try {
      db.prepare('SELECT 1').get();
      const h = health();
      // Commits stopped after a failed WAL sync: every message gets 451 until a restart.
      if (h.commitStopped) return c.json({ status: 'error', smtp: h.smtp, queueDepth: h.queueDepth, problem: h.commitStopped }, 503);
      return c.json({ status: h.smtp ? 'ok' : 'starting', smtp: h.smtp, queueDepth: h.queueDepth }, h.smtp ? 200 : 503);
    } catch {
      return c.json({ status: 'error' }, 503);
    }
  });

  // Ready to take traffic: the database takes a write and the SMTP listeners are up.
  app.get('/readyz', (c) => {
    const problems: string[] = [];
    try {
      db.transaction(() =>
        db.prepare("INSERT INTO settings (key, value) VALUES ('readyz', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(Date.now())),
      )();
    } catch (err) {
      problems.push(`database not writable: ${(err as Error).message}`);
    }
    const h = health();
    if (!h.smtp) problems.push('SMTP listeners are not up');
    if (h.commitStopped) problems.push(h.commitStopped);
    return c.json(problems.length ? { status: 'not ready', problems } : { status: 'ready' }, problems.length ? 503 : 200);
  });
}

/**
 * The API under /api/v1, behind the token: every group on the storage ports, the same code on
 * SQLite and PostgreSQL (campaigns when given). An unknown path answers 404 on both.
 */
function apiRoutes(o: HttpAppOptions, storage: Storage): Hono {
  const api = new Hono();
  api.use('*', apiGuard(storage.secrets));
  const core = coreApiDeps(storage, o.domains, o.resolver);
  // The routes that send through the pipeline get the node's relay and log besides the ports.
  const messages = { ...core, relay: o.relay, log: o.log };
  api.route('/', storeRoutes(core));
  api.route('/', storeSettingsRoutes({ resolver: o.resolver, admin: storage.admin, submission: o.submission }));
  api.route('/', orderImportRoutes({ market: storage.market, domains: o.domains, log: o.log }, storage));
  api.route('/', orderRoutes(core));
  api.route('/', orderChangeRoutes(core));
  api.route('/', messageRoutes(messages));
  api.route('/', outboxRoutes({ operations: storage.admin.operations, outbox: storage.outbox }));
  api.route('/', erasureRoutes(messages));
  api.route('/', bannedWordRoutes(core));
  if (o.campaigns) api.route('/', campaignRoutes({ campaigns: o.campaigns, market: storage.market, domains: o.domains }));
  api.route('/', reportRoutes(messages));
  api.route('/', webhookRoutes({ webhooks: storage.webhooks, log: o.log }));
  api.route('/', websiteRoutes(messages));
  api.route('/', conversationRoutes(messages));
  api.get('/dns', (c) => c.json({ records: dnsRecords(o.domains[0] as string, o.hostname, o.dkimKey) }));
  // A catch-all, not notFound: the admin mounted at / must never answer an /api/v1 path.
  api.all('*', (c) => apiError(c, 'NOT_FOUND', `no API route ${c.req.method} ${new URL(c.req.url).pathname}`));
  return api;
}
