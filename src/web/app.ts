// Owns the HTTP application: /healthz, the JSON API under /api/v1 behind a bearer token, and the admin.
import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { DnsResolver } from '../dns/resolver.js';
import { dnsRecords, type DkimKey } from '../outbound/dkim.js';
import type { Relay } from '../relay/pipeline.js';
import type { Metrics } from '../metrics.js';
import type { Db } from '../store/db.js';
import { apiError } from './api-error.js';
import { apiGuard, tokenMatches } from './api-token.js';
import { apiDeps } from './api/deps.js';
import { bannedWordRoutes } from './api/routes-banned-words.js';
import { mailRoutes } from './api/routes-mail.js';
import { orderChangeRoutes, orderRoutes } from './api/routes-orders.js';
import { storeRoutes, storeSettingsRoutes } from './api/routes-stores.js';
import type { Storage } from '../store/ports.js';
import { sqliteStorage } from '../store/sqlite/storage.js';
import { campaignRoutes } from './api/routes-campaigns.js';
import { reportRoutes } from './api/routes-reports.js';
import { webhookRoutes } from './api/routes-webhooks.js';
import { websiteRoutes } from './api/routes-website.js';
import { conversationRoutes } from './api/routes-conversation.js';
import { openApiDocument } from './api/openapi.js';
import { orderImportRoutes } from './api/routes-order-import.js';
import type { CampaignDeps } from './api/deps.js';
import type { Unsubscribes } from '../campaigns/unsubscribe.js';
import { InvalidRequest } from './api/validate.js';
import { createAdminApp } from './admin/admin.js';
import type { Check } from '../doctor.js';

export interface HttpAppOptions {
  readonly db: Db;
  /** The storage ports over `db` (the API's core routes and its token check use them); built over db when absent. */
  readonly storage?: Pick<Storage, 'mail' | 'market' | 'secrets' | 'imports' | 'write'>;
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
  readonly campaigns: CampaignDeps;
  /** Applies unsubscribes from the public page and the one-click POST. */
  readonly unsubscribes: Unsubscribes;
  /** `maskgate doctor`'s checks, for the admin's setup page. */
  readonly doctor: () => Promise<readonly Check[]>;
  /** `http.trustedProxies`: whose X-Forwarded-* headers count. */
  readonly trustedProxies: readonly string[];
  /** The admin's address as staff reach it, for links in mail. */
  readonly publicUrl: () => string;
}

export function createHttpApp(o: HttpAppOptions): Hono {
  const app = new Hono();

  app.get('/healthz', (c) => {
    try {
      o.db.prepare('SELECT 1').get();
      const h = o.health();
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
      o.db.transaction(() =>
        o.db.prepare("INSERT INTO settings (key, value) VALUES ('readyz', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(Date.now())),
      )();
    } catch (err) {
      problems.push(`database not writable: ${(err as Error).message}`);
    }
    const h = o.health();
    if (!h.smtp) problems.push('SMTP listeners are not up');
    if (h.commitStopped) problems.push(h.commitStopped);
    return c.json(problems.length ? { status: 'not ready', problems } : { status: 'ready' }, problems.length ? 503 : 200);
  });

  // Prometheus text format; scrape it with the API token (`authorization: Bearer …`).
  app.get('/metrics', async (c) => {
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    if (!match || !tokenMatches(o.db, match[1] as string)) return apiError(c, 'UNAUTHORIZED');
    return c.body(await o.metrics.registry.metrics(), 200, { 'content-type': o.metrics.registry.contentType });
  });

  // The API's description of itself needs no token (it holds no data).
  app.get('/api/v1/openapi.json', (c) => c.json(openApiDocument()));

  const storage = o.storage ?? sqliteStorage(o.db, { sessionTtlMs: 0 });
  const api = new Hono();
  api.use('*', apiGuard(storage.secrets));
  const deps = apiDeps(o.db, storage, o.domains, o.resolver, o.relay, o.log, o.submission, o.campaigns);
  api.route('/', storeRoutes(deps));
  api.route('/', storeSettingsRoutes(deps));
  api.route('/', orderImportRoutes(deps, storage));
  api.route('/', orderRoutes(deps));
  api.route('/', orderChangeRoutes(deps));
  api.route('/', mailRoutes(deps));
  api.route('/', bannedWordRoutes(deps));
  api.route('/', campaignRoutes(deps));
  api.route('/', reportRoutes(deps));
  api.route('/', webhookRoutes(deps));
  api.route('/', websiteRoutes(deps));
  api.route('/', conversationRoutes(deps));
  api.get('/dns', (c) => c.json({ records: dnsRecords(o.domains[0] as string, o.hostname, o.dkimKey) }));
  // A catch-all, not notFound: the admin mounted at / must never answer an /api/v1 path.
  api.all('*', (c) => apiError(c, 'NOT_FOUND', `no API route ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.route('/api/v1', api);
  // The admin (pages behind a staff login) takes every other path.
  app.route(
    '/',
    createAdminApp({
      db: o.db,
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
      campaigns: o.campaigns,
      unsubscribes: o.unsubscribes,
      trustedProxies: o.trustedProxies,
      publicUrl: o.publicUrl,
      submission: o.submission,
    }),
  );

  app.notFound((c) => apiError(c, 'NOT_FOUND', 'not found'));
  app.onError((err, c) => {
    if (err instanceof InvalidRequest) return apiError(c, 'VALIDATION_FAILED', err.message);
    o.log.error({ event: 'http.error', method: c.req.method, path: new URL(c.req.url).pathname, err: err.message }, 'unexpected error');
    return apiError(c, 'TEMPORARY_FAILURE');
  });
  return app;
}
