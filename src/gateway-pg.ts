// Owns starting and stopping one gateway node on PostgreSQL (`database.url`): several such nodes on
// one database share the mail path. What runs here: SMTP intake (the MX port, and submission with
// app passwords when a certificate is configured), the whole pipeline through the storage ports,
// the outbox worker (rows claimed with leases), failure notices, bounce intake, and retention under
// a job lease; the DKIM key and the bounce secret come from the database (SecretStore).
//
// The JSON API's core runs here too (web/api/core-api.ts: stores, permitted senders, orders, pairs,
// campaigns, behind the API token), and campaigns: the sender under the `campaigns` job lease
// (recipients claimed with leases, each at most once across nodes), the unsubscribe page, one-click
// POST and mailto: address on every node. What does not run on PostgreSQL in this version (it still
// reads and writes SQLite through the synchronous repositories): the admin, the rest of the JSON
// API, the notifier, webhooks. The HTTP port answers every other path but
// /healthz, /readyz and /metrics with 503 and a sentence, and the start logs one
// `gateway.postgres-limits` line naming them, so nothing silently runs on a local SQLite file
// (README, "More than one machine").
import { createAdaptorServer } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { Logger } from 'pino';
import type { AppConfig } from './config.js';
import { systemResolver } from './dns/resolver.js';
import type { GatewayOptions } from './gateway.js';
import { listen, loadTls } from './gateway.js';
import { leasedRetentionJob } from './jobs/retention.js';
import { Metrics } from './metrics.js';
import { BOUNCE_SECRET_KEY, BounceAddresses } from './outbound/bounce-address.js';
import { BounceIntake } from './outbound/bounce-intake.js';
import { loadDkimKey, unsigned } from './outbound/dkim.js';
import { FailureNotices } from './outbound/failure-notice.js';
import { createTransport } from './outbound/transport.js';
import { OutboundWorker } from './outbound/worker.js';
import { ByteBudget } from './relay/byte-budget.js';
import { OutboxEntry, storageLetters } from './relay/outbox-entry.js';
import { Relay } from './relay/pipeline.js';
import { autoThreads, WorkPool } from './relay/work-pool.js';
import { createSmtpListener } from './smtp/listener.js';
import { Spool } from './smtp/spool.js';
import { openPgStorage } from './store/pg/storage.js';
import { campaignLeasedJob, startCampaigns } from './jobs/campaigns.js';
import { noticeQueue } from './outbound/notice-mail.js';
import { unsubscribeRoutes } from './web/admin/routes-unsubscribe.js';
import { apiError } from './web/api-error.js';
import { bearerMatches, storeApiToken } from './web/api-token.js';
import { coreApi } from './web/api/core-api.js';
import { coreApiDeps } from './web/api/deps.js';
import { nodeId, type Storage } from './store/ports.js';

/** What a PostgreSQL node answers on its HTTP port for what it does not serve in this version. */
export const NOT_ON_POSTGRES =
  'not available on PostgreSQL in this version: this node serves SMTP, the pipeline, delivery, campaigns and the core of the API (stores, permitted senders, orders and their import, pairs, campaigns); the admin, the rest of the API, notifications and webhooks need SQLite (README, "More than one machine")';

/** The parts that do not run on PostgreSQL in this version (logged at start, said on the HTTP port). */
export const POSTGRES_UNAVAILABLE = [
  'admin',
  'api (all but stores, permitted senders, orders and their import, pairs, campaigns)',
  'notifier',
  'webhooks',
] as const;

export interface PgGateway {
  readonly database: 'postgres';
  readonly storage: Storage;
  readonly smtpPort: number;
  readonly submissionPort: number | null;
  readonly submissionTlsPort: number | null;
  readonly httpPort: number;
  readonly generatedApiToken: null;
  readonly setupUrl: null;
  readonly setupExpiresAt: null;
  readonly adminUrl: string;
  readonly nodeId: string;
  readonly worker: OutboundWorker;
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
    return await openPgStorage(url, { sessionTtlMs: 0 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // node-postgres may echo the connection string; only the code and a redacted URL are told.
    throw new Error(`cannot open the PostgreSQL database ${redactedUrl(url)} (${e.code ?? e.message.replaceAll(url, redactedUrl(url))})`, { cause: err });
  }
}

/** Starts one node on the PostgreSQL database of `config.database.url`. */
export async function startPgGateway(config: AppConfig, log: Logger, options: GatewayOptions = {}): Promise<PgGateway> {
  const url = config.database.url as string;
  const domain = config.domains[0] as string;
  const resolver =
    options.resolver ??
    systemResolver(config.dns.timeoutMs, config.dns.static, { maxTtlSeconds: config.dns.cacheSeconds, maxEntries: config.dns.cacheEntries });
  const storage = await openStorage(url);
  const node = nodeId();
  log.warn(
    { event: 'gateway.postgres-limits', unavailable: POSTGRES_UNAVAILABLE, database: redactedUrl(url) },
    `running on PostgreSQL: SMTP, the pipeline, delivery and campaigns; ${POSTGRES_UNAVAILABLE.join(', ')} are not available on PostgreSQL in this version (HTTP answers 503)`,
  );
  // DATA is spooled to this node's disk until it is answered; nothing else is kept locally.
  const spool = new Spool(config.dataDir);
  const leftovers = spool.clean();
  if (leftovers > 0) log.info({ event: 'smtp.spool-cleaned', files: leftovers }, 'removed spool files of messages never answered');
  const dkimKey = config.dkim.enabled ? await loadDkimKey(storage.secrets, config.dataDir, domain, config.dkim.selector) : null;
  // The API token's hash is in the database (every node checks against it); a configured token replaces it.
  if (!(await storeApiToken(storage.secrets, config.api.token)))
    log.warn({ event: 'api.no-token' }, 'no API token on this database: set api.token (MASKGATE_API_TOKEN); until then the API answers 401');
  const work = new WorkPool(config.smtp.workerThreads || autoThreads(), dkimKey);
  void work.warmUp();
  // One memory budget for the messages being received and the ones being delivered.
  const budget = new ByteBudget(config.smtp.inFlightBytes);
  const intake = { spool, budget };
  const sign = dkimKey ? work.sign : unsigned;
  const bounces = new BounceAddresses(await storage.secrets.secret(BOUNCE_SECRET_KEY), domain, config.outbound.lifetime + 7 * 86_400);
  const transport = createTransport(config);
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
  const metrics = new Metrics(() => queueStats);
  const outboxEntry = new OutboxEntry(storageLetters(storage), sign, () => worker.wake());
  const notices = new FailureNotices(storage.mail, outboxEntry, domain);
  const worker = new OutboundWorker(
    storage.outbox,
    transport,
    {
      concurrency: config.outbound.concurrency,
      pollIntervalMs: config.outbound.pollIntervalMs,
      retry: { schedule: config.outbound.retrySchedule, thereafter: config.outbound.retryThereafter, lifetime: config.outbound.lifetime },
      relayDomain: domain,
      bounces,
      notices,
      metrics,
      nodeId: node,
      leaseMs: config.outbound.leaseSeconds * 1000,
      memory: budget,
    },
    log.child({ component: 'outbound' }),
  );
  const bounceIntake = new BounceIntake(storage, bounces, notices, config.domains, (config.outbound.lifetime + 7 * 86_400) * 1000);
  const relay = new Relay(
    storage,
    { domains: config.domains, parseTimeoutMs: config.smtp.parseTimeoutMs, filters: config.filters, postmaster: config.smtp.postmaster },
    {
      verify: (local) => bounceIntake.verify(local),
      async handle(mail, outboxId, log) {
        const outcome = await bounceIntake.handle(mail, outboxId, log);
        metrics.bounces.inc({ outcome: String(outcome) });
        return outcome;
      },
    },
    outboxEntry,
    work,
  );
  const tls = loadTls(config);
  const smtpLog = log.child({ component: 'smtp' });
  const smtp = createSmtpListener(config, relay, smtpLog, { kind: 'mx', resolver, tls }, metrics, intake);
  const credentials = {
    candidates: (email: string) => storage.mail.submissionCandidates(email),
    touch: (id: number) => storage.mail.touchCredential(id),
  };
  const submission =
    config.submission.enabled && tls
      ? createSmtpListener(config, relay, smtpLog.child({ port: 'submission' }), { kind: 'submission', credentials, tls }, metrics, intake)
      : null;
  const submissionTls =
    config.submission.enabled && tls && config.submission.implicitTlsPort !== null
      ? createSmtpListener(
          config,
          relay,
          smtpLog.child({ port: 'submission-tls' }),
          { kind: 'submission', credentials, tls, implicitTls: true },
          metrics,
          intake,
        )
      : null;
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
  // Prometheus text with the API token, as on SQLite (web/app.ts).
  app.get('/metrics', async (c) => {
    if (!(await bearerMatches(storage.secrets, c.req.header('authorization')))) return apiError(c, 'UNAUTHORIZED');
    return c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  });
  const unported = (c: Context) => c.json({ error: 'not_available_on_postgres', message: NOT_ON_POSTGRES }, 503);
  // Campaigns: the sender runs on the node holding the `campaigns` job lease; every node serves their API and unsubscribes.
  let adminUrl = config.admin.publicUrl ?? '';
  const notice = noticeQueue(outboxEntry, domain);
  const campaigns = await startCampaigns(config, storage, relay, notice, () => adminUrl, node, log, metrics);
  app.route(
    '/api/v1',
    coreApi(coreApiDeps(storage, config.domains, resolver), storage.secrets, unported, log.child({ component: 'api' }), {
      campaigns: { store: storage.campaigns, service: campaigns.service, sender: campaigns.campaigns, notice },
      imports: storage,
    }),
  );
  app.route('/', unsubscribeRoutes(campaigns.unsubscribes));
  app.all('*', unported);
  const http = createAdaptorServer({ fetch: app.fetch });

  let smtpPort: number;
  let httpPort: number;
  let submissionPort: number | null = null;
  let submissionTlsPort: number | null = null;
  try {
    smtpPort = await listen(smtp.server, config.smtp.port, config.smtp.host);
    if (submission) submissionPort = await listen(submission.server, config.submission.port, config.submission.host);
    if (submissionTls) submissionTlsPort = await listen(submissionTls.server, config.submission.implicitTlsPort ?? 0, config.submission.host);
    smtpUp = true;
    httpPort = await listen(http as never, config.http.port, config.http.host);
  } catch (err) {
    for (const s of [smtp, submission, submissionTls]) s?.close(() => undefined);
    clearInterval(statsTimer);
    await work.close();
    await storage.close();
    throw err;
  }
  adminUrl = config.admin.publicUrl ?? `http://${config.http.host}:${httpPort}`;
  // Scheduled starts and sending on the one node holding the lease; before the worker, so what a
  // dead node left half done is settled first.
  const jobLog = log.child({ component: 'jobs' });
  const campaignJob = campaignLeasedJob(storage, config, node, campaigns.campaigns, jobLog);
  await campaignJob.begin();
  worker.start();
  void refreshStats();
  // Retention runs on the one node holding its lease; another takes over when that node dies.
  const retentionJob = leasedRetentionJob(storage, config.retention, node, log, jobLog);
  await retentionJob.begin();
  log.info(
    {
      event: 'gateway.listening',
      database: 'postgres',
      node,
      smtp: `${config.smtp.host}:${smtpPort}`,
      submission: submissionPort === null ? null : `${config.submission.host}:${submissionPort}`,
      submissionTls: submissionTlsPort === null ? null : `${config.submission.host}:${submissionTlsPort}`,
      http: `${config.http.host}:${httpPort}`,
      domains: config.domains,
      transport: transport.kind,
      smtpPort,
      submissionPort,
      submissionTlsPort,
      httpPort,
    },
    'maskgate is listening',
  );

  let stopped: Promise<void> | null = null;
  return {
    database: 'postgres',
    storage,
    smtpPort,
    submissionPort,
    submissionTlsPort,
    httpPort,
    generatedApiToken: null,
    setupUrl: null,
    setupExpiresAt: null,
    adminUrl,
    nodeId: node,
    worker,
    stop() {
      stopped ??= (async () => {
        smtpUp = false;
        clearInterval(statsTimer);
        await Promise.all([smtp, submission, submissionTls].map((s) => (s ? new Promise<void>((resolve) => s.close(() => resolve())) : undefined)));
        await new Promise<void>((resolve) => http.close(() => resolve()));
        await retentionJob.end();
        await campaignJob.end();
        await worker.stop();
        await work.close();
        await storage.close();
        log.info({ event: 'gateway.stopped' }, 'maskgate stopped');
      })();
      return stopped;
    },
  };
}
