// Owns starting and stopping one gateway node on PostgreSQL (`database.url`): several such nodes on
// one database serve everything a SQLite installation does, from the shared database. SMTP intake
// (the MX port, and submission with app passwords when a certificate is configured), the whole
// pipeline through the storage ports, the outbox worker (rows claimed with leases), failure
// notices, bounce intake; the campaign sender, the notifier and retention each under its job lease
// (one node at a time, another takes over when it dies); webhook delivery on every node, each
// endpoint under its lease; the DKIM key and the bounce secret from the database (SecretStore).
// The HTTP port is the same application as on SQLite (web/app.ts createHttpApp, built from the
// storage ports without a SQLite handle): the whole JSON API behind the API token and every admin
// page; this node adds its own /healthz and /readyz, which ask PostgreSQL (README, "More than one
// machine").
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { AppConfig } from './config.js';
import type { OutboundWorker } from './outbound/worker.js';
import { systemResolver } from './dns/resolver.js';
import type { GatewayOptions } from './gateway.js';
import { loadTls } from './gateway.js';
import { bindPorts, buildMessagePath, createSmtpListeners, logListening, type BoundPorts } from './node-start.js';
import { leasedRetentionJob } from './jobs/retention.js';
import { Metrics } from './metrics.js';
import { BOUNCE_SECRET_KEY } from './outbound/bounce-address.js';
import { loadDkimKey } from './outbound/dkim.js';
import { Notifier } from './outbound/notifier.js';
import { LeasedJob } from './jobs/leased-job.js';
import { WebhookSender } from './outbound/webhook-sender.js';
import { storageLetters } from './relay/outbox-entry.js';
import { Relay } from './relay/pipeline.js';
import { Spool } from './smtp/spool.js';
import { lockDataDir, type DataDirLock } from './store/data-dir-lock.js';
import { openPgStorage } from './store/pg/storage.js';
import { storeApiToken } from './web/api-token.js';
import { campaignLeasedJob, startCampaigns } from './jobs/campaigns.js';
import { nodeId, type Storage } from './store/ports.js';
import { runDoctor } from './doctor.js';
import { noticeQueue } from './outbound/notice-mail.js';
import { currentSetupToken } from './web/admin/setup-token.js';
import { SESSION_TTL_MS } from './web/admin/session.js';
import { createHttpApp } from './web/app.js';

export interface PgGateway {
  readonly database: 'postgres';
  readonly storage: Storage;
  readonly smtpPort: number;
  readonly submissionPort: number | null;
  readonly submissionTlsPort: number | null;
  readonly httpPort: number;
  readonly generatedApiToken: null;
  /** The first owner's setup link while the database has no user (the same on every node); else null. */
  readonly setupUrl: string | null;
  /** When setupUrl stops working (ms since the epoch); null with it. */
  readonly setupExpiresAt: number | null;
  readonly adminUrl: string;
  readonly nodeId: string;
  readonly worker: OutboundWorker;
  /** Runs only while this node holds the `notifier` job lease (tick() runs one pass regardless). */
  readonly notifier: Notifier;
  /** The pipeline every message goes through (the API's store messages too). */
  readonly relay: Relay;
  stop(): Promise<void>;
}

/** The URL without its password, for messages and logs. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured database.url';
  }
}

async function openStorage(url: string): Promise<Storage> {
  try {
    return await openPgStorage(url, { sessionTtlMs: SESSION_TTL_MS });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // node-postgres may echo the connection string; only the code and a redacted URL are told.
    throw new Error(`cannot open the PostgreSQL database ${redactedUrl(url)} (${e.code ?? e.message.replaceAll(url, redactedUrl(url))})`, { cause: err });
  }
}

/** Starts one node on the PostgreSQL database of `config.database.url`. */
export async function startPgGateway(config: AppConfig, log: Logger, options: GatewayOptions = {}): Promise<PgGateway> {
  // This node's data directory holds its own spool (cleaned below): two nodes on one machine each
  // need their own, as a second gateway on a SQLite directory would (store/data-dir-lock.ts).
  const lock = lockDataDir(config.dataDir, { onLost: (message) => log.error({ event: 'gateway.lock-lost' }, message) });
  try {
    return await startPgLocked(config, log, options, lock);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function startPgLocked(config: AppConfig, log: Logger, options: GatewayOptions, lock: DataDirLock): Promise<PgGateway> {
  const url = config.database.url as string;
  const storage = await openStorage(url);
  // What this start opened, closed again (last first) when it fails before returning: an in-process
  // caller that goes on must not keep the pool's connections or the work pool's threads.
  const opened: (() => unknown)[] = [() => storage.close()];
  try {
    return await startOnStorage(config, log, options, lock, storage, opened);
  } catch (err) {
    for (const close of opened.reverse()) await Promise.resolve(close()).catch(() => undefined);
    throw err;
  }
}

async function startOnStorage(
  config: AppConfig,
  log: Logger,
  options: GatewayOptions,
  lock: DataDirLock,
  storage: Storage,
  opened: (() => unknown)[],
): Promise<PgGateway> {
  const url = config.database.url as string;
  const domain = config.domains[0] as string;
  const resolver =
    options.resolver ??
    systemResolver(config.dns.timeoutMs, config.dns.static, { maxTtlSeconds: config.dns.cacheSeconds, maxEntries: config.dns.cacheEntries });
  const node = nodeId();
  log.info(
    { event: 'gateway.database', database: redactedUrl(url), node },
    'running on PostgreSQL: this node serves SMTP, the admin and the API from the shared database',
  );
  // DATA is spooled to this node's disk until it is answered; nothing else is kept locally.
  const spool = new Spool(config.dataDir);
  const leftovers = spool.clean();
  if (leftovers > 0) log.info({ event: 'smtp.spool-cleaned', files: leftovers }, 'removed spool files of messages never answered');
  const dkimKey = config.dkim.enabled ? await loadDkimKey(storage.secrets, config.dataDir, domain, config.dkim.selector) : null;
  // The API token's hash is in the database (every node checks against it); a configured token replaces it.
  if (!(await storeApiToken(storage.secrets, config.api.token)))
    log.warn({ event: 'api.no-token' }, 'no API token on this database: set api.token (MASKGATE_API_TOKEN); until then the API answers 401');
  // The queue gauges read the database: refreshed every 15 s rather than on every scrape.
  let queueStats = { depth: 0, oldestAgeSeconds: 0 };
  const refreshStats = async () => {
    try {
      queueStats = { depth: await storage.outbox.pendingCount(), oldestAgeSeconds: 0 };
    } catch {
      // A scrape keeps the last figures; the worker logs database errors.
    }
  };
  const statsTimer = setInterval(() => void refreshStats(), 15_000);
  statsTimer.unref();
  opened.push(() => clearInterval(statsTimer));
  const metrics = new Metrics(() => queueStats);
  const path = buildMessagePath(config, log, {
    storage,
    dkimKey,
    letters: storageLetters(storage),
    bounceSecret: await storage.secrets.secret(BOUNCE_SECRET_KEY),
    spool,
    metrics,
    nodeId: node,
    ...(options.workPool ? { workPool: options.workPool } : {}),
  });
  const { releaseWork, transport, outboxEntry, worker, relay } = path;
  opened.push(releaseWork, () => transport.close());
  const tls = loadTls(config);
  const listeners = createSmtpListeners(config, path, log, { resolver, tls, storage, metrics });
  let smtpUp = false;
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: smtpUp ? 'ok' : 'starting', database: 'postgres', smtp: smtpUp }, smtpUp ? 200 : 503));
  app.get('/readyz', async (c) => {
    try {
      await storage.leases.holder('readyz');
      return c.json({ status: smtpUp ? 'ready' : 'starting' }, smtpUp ? 200 : 503);
    } catch (err) {
      return c.json({ status: 'unavailable', reason: `database: ${(err as NodeJS.ErrnoException).code ?? 'unreachable'}` }, 503);
    }
  });
  let adminUrl = config.admin.publicUrl ?? '';
  // Campaigns: the sender runs on the node holding the `campaigns` job lease; every node serves their API and unsubscribes.
  const notice = noticeQueue(outboxEntry, domain);
  const campaigns = await startCampaigns(config, storage, relay, notice, () => adminUrl, node, log, metrics);
  // /metrics (with the API token), the API and the admin: the same application as on SQLite, without db.
  app.route(
    '/',
    createHttpApp({
      storage,
      domains: config.domains,
      hostname: config.hostname,
      dkimKey,
      resolver,
      relay,
      wake: () => worker.wake(),
      timeZone: config.admin.timeZone,
      filters: config.filters,
      submission: () => (submissionPort === null ? null : { host: config.hostname, port: submissionPort, implicitTlsPort: submissionTlsPort }),
      log: log.child({ component: 'http' }),
      health: () => ({ smtp: smtpUp, queueDepth: queueStats.depth }),
      metrics,
      notice,
      campaigns: { store: storage.campaigns, service: campaigns.service, sender: campaigns.campaigns, notice },
      unsubscribes: campaigns.unsubscribes,
      doctor: () => runDoctor({ config, operations: storage.admin.operations, resolver, dkimKey }),
      trustedProxies: config.http.trustedProxies,
      publicUrl: () => adminUrl,
    }),
  );
  const http = createAdaptorServer({ fetch: app.fetch });

  let submissionPort: number | null = null;
  let submissionTlsPort: number | null = null;
  // bindPorts closes the listeners it bound when one port is taken; the rest is closed by the caller.
  const ports: BoundPorts = await bindPorts(config, listeners, http as never, (bound) => {
    ({ submissionPort, submissionTlsPort } = bound);
    smtpUp = true;
  });
  opened.push(
    () => listeners.close(),
    () => new Promise<void>((resolve) => http.close(() => resolve())),
  );
  adminUrl ||= `http://${config.http.host}:${ports.httpPort}`;
  // Scheduled starts and sending on the one node holding the lease; before the worker, so what a
  // dead node left half done is settled first.
  const jobLog = log.child({ component: 'jobs' });
  const campaignJob = campaignLeasedJob(storage, config, node, campaigns.campaigns, jobLog);
  await campaignJob.begin();
  opened.push(() => campaignJob.end());
  worker.start();
  opened.push(() => worker.stop());
  void refreshStats();
  // Every node runs a webhook sender: each endpoint is worked by the node holding its lease.
  const webhooks = new WebhookSender(storage.webhooks, config.webhooks, log.child({ component: 'webhooks' }));
  webhooks.start();
  opened.push(() => webhooks.stop());
  // Retention and the notifier run on the one node holding each lease; another takes over when that node dies.
  const retentionJob = leasedRetentionJob(storage, config.retention, node, log, jobLog);
  await retentionJob.begin();
  opened.push(() => retentionJob.end());
  // The first owner's setup link: made by the first node to start on an empty database, the same on
  // every node after it (the token is in the database), until it is used or its 24 hours are over.
  const setup = (await storage.admin.users.count()) === 0 ? await currentSetupToken({ ...storage.secrets, swapSetting: storage.admin.swapSetting }) : null;
  const setupUrl = setup ? `${adminUrl}/setup?token=${setup.token}` : null;
  const notifier = new Notifier(
    storage.notifications,
    outboxEntry,
    {
      domain,
      timeZone: config.admin.timeZone,
      adminUrl: () => adminUrl,
      intervalMs: config.admin.notifyIntervalMs,
      delayMs: config.admin.notifyDelayMs,
    },
    log.child({ component: 'notify' }),
  );
  const notifierJob = new LeasedJob(storage.leases, 'notifier', node, notifier, jobLog);
  await notifierJob.begin();
  opened.push(() => notifierJob.end());
  logListening(log, config, ports, transport, { database: 'postgres', node });

  let stopped: Promise<void> | null = null;
  return {
    database: 'postgres',
    storage,
    ...ports,
    generatedApiToken: null,
    setupUrl,
    setupExpiresAt: setup?.expiresAt ?? null,
    adminUrl,
    nodeId: node,
    worker,
    notifier,
    relay,
    stop() {
      stopped ??= (async () => {
        smtpUp = false;
        clearInterval(statsTimer);
        await listeners.close();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        await retentionJob.end();
        await campaignJob.end();
        await notifierJob.end();
        await webhooks.stop();
        await worker.stop();
        await releaseWork();
        await storage.close();
        lock.release();
        log.info({ event: 'gateway.stopped' }, 'maskgate stopped');
      })();
      return stopped;
    },
  };
}
