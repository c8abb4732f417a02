// Owns starting and stopping one gateway: database, relay, SMTP listener, outbound worker, HTTP.
// main.ts and the tests both start it through here, so tests run the real thing.
import { createAdaptorServer } from '@hono/node-server';
import type { Logger } from 'pino';
import type { AppConfig } from './config.js';
import type { OutboundWorker } from './outbound/worker.js';
import { loadBounceSecret } from './outbound/bounce-address.js';
import { systemResolver, type DnsResolver } from './dns/resolver.js';
import { loadDkimKey } from './outbound/dkim.js';
import { LeasedJob } from './jobs/leased-job.js';
import { campaignLeasedJob, startCampaigns } from './jobs/campaigns.js';
import type { CampaignSender } from './campaigns/sender.js';
import { leasedRetentionJob } from './jobs/retention.js';
import { nodeId } from './store/ports.js';
import { clearDeadLeases, sqliteStorage } from './store/sqlite/storage.js';
import { OutboxEntry, sqliteLetters, storageLetters } from './relay/outbox-entry.js';
import { WebhookSender } from './outbound/webhook-sender.js';
import { Notifier } from './outbound/notifier.js';
import { noticeQueue } from './outbound/notice-mail.js';
import { Metrics } from './metrics.js';
import { runDoctor } from './doctor.js';
import { GroupCommit } from './relay/group-commit.js';
import { WalCheckpointer } from './store/sqlite/wal-checkpointer.js';
import { Relay } from './relay/pipeline.js';
import { readFileSync } from 'node:fs';
import type { TlsFiles } from './smtp/listener.js';
import { Spool } from './smtp/spool.js';
import { lockDataDir, type DataDirLock } from './store/data-dir-lock.js';
import { TlsReloader } from './smtp/tls-reload.js';
import { currentSetupToken } from './web/admin/setup-token.js';
import { SESSION_TTL_MS } from './web/admin/session.js';
import { openDb, type Db } from './store/db.js';
import { OutboxRepo } from './store/outbox.js';
import { deleteSetting } from './store/settings.js';
import { API_TOKEN_KEY, ensureApiToken } from './web/api-token.js';
import { createHttpApp } from './web/app.js';
import { bindPorts, buildMessagePath, createSmtpListeners, logListening, type BoundPorts, type WorkPoolSource } from './node-start.js';

export interface Gateway {
  readonly db: Db;
  readonly smtpPort: number;
  /** null when the submission port is off (disabled, or no TLS certificate configured). */
  readonly submissionPort: number | null;
  /** The implicit-TLS submission port (465 in production); null unless configured with a certificate. */
  readonly submissionTlsPort: number | null;
  readonly httpPort: number;
  /** Set only on the start that generated the API token. */
  readonly generatedApiToken: string | null;
  /** While no staff account exists: the one-time link that creates the owner (valid 24 hours, across restarts). */
  readonly setupUrl: string | null;
  /** When setupUrl stops working (ms since the epoch); null with it. */
  readonly setupExpiresAt: number | null;
  /** Where the admin is: admin.publicUrl, or the HTTP listener's address. */
  readonly adminUrl: string;
  readonly worker: OutboundWorker;
  /** The pipeline every message goes through (the admin's and the API's store messages too). */
  readonly relay: Relay;
  readonly notifier: Notifier;
  readonly campaigns: CampaignSender;
  /** This process's node id (lease owner in the outbox, the campaign ledger and job leases). */
  readonly nodeId: string;
  /** The periodic jobs this node runs while it holds their lease. */
  readonly jobs: { readonly campaigns: LeasedJob; readonly notifier: LeasedJob; readonly retention: LeasedJob };
  stop(): Promise<void>;
}

export interface GatewayOptions {
  /** A fixed resolver for tests; the system resolver (with the configured timeout) otherwise. */
  readonly resolver?: DnsResolver;
  /** Where the relay's work pool comes from (node-start.ts WorkPoolSource): a pool of its own unless given (the tests' harness lends one). */
  readonly workPool?: WorkPoolSource;
}

/** Reads the configured certificate and key; null when none is configured. */
export function loadTls(config: AppConfig): TlsFiles | null {
  if (!config.tls.cert || !config.tls.key) return null;
  return { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) };
}

/**
 * Why startGateway (the SQLite gateway) cannot start on the configured database, or null. With
 * `database.url` set a node starts through startGateway's PostgreSQL twin, gateway-pg.ts
 * (main.ts chooses); this guard keeps a caller from silently running on a local SQLite file.
 */
export function unsupportedDatabase(config: AppConfig): string | null {
  if (!config.database.url) return null;
  return 'database.url (MASKGATE_DATABASE_URL) is set: this node runs on PostgreSQL (startPgGateway in gateway-pg.ts), not on SQLite under dataDir.';
}

/**
 * Starts the SQLite gateway on `config.dataDir`: its ports, jobs and delivery. Throws when the
 * configuration names PostgreSQL (unsupportedDatabase), when another gateway runs on the same data
 * directory (DataDirInUse, store/data-dir-lock.ts: nothing is touched then), or when a port cannot
 * be bound; the data directory is released again on any failure and by stop().
 */
export async function startGateway(config: AppConfig, log: Logger, options: GatewayOptions = {}): Promise<Gateway> {
  const refused = unsupportedDatabase(config);
  if (refused) {
    log.error({ event: 'gateway.database-unsupported' }, refused);
    throw new Error(refused);
  }
  // Before anything under dataDir is opened or cleaned: a second gateway there would empty the
  // first's spool and release its delivery leases.
  const lock = lockDataDir(config.dataDir, { onLost: (message) => log.error({ event: 'gateway.lock-lost' }, message) });
  try {
    return await startLocked(config, log, options, lock);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function startLocked(config: AppConfig, log: Logger, options: GatewayOptions, lock: DataDirLock): Promise<Gateway> {
  const resolver =
    options.resolver ??
    systemResolver(config.dns.timeoutMs, config.dns.static, { maxTtlSeconds: config.dns.cacheSeconds, maxEntries: config.dns.cacheEntries });
  const db = openDb(config.dataDir);
  // What this start opened, closed again (last first) when it fails before returning: an in-process
  // caller (a test, a tool) is left no open database, thread or timer (a TLS certificate file that
  // is not there fails after the database, the checkpoint thread and the work pool were opened).
  const opened: (() => unknown)[] = [() => db.close()];
  try {
    return await startOnDb(config, log, options, lock, resolver, db, opened);
  } catch (err) {
    for (const close of opened.reverse())
      await Promise.resolve()
        .then(close)
        .catch(() => undefined);
    throw err;
  }
}

async function startOnDb(
  config: AppConfig,
  log: Logger,
  options: GatewayOptions,
  lock: DataDirLock,
  resolver: DnsResolver,
  db: Db,
  opened: (() => unknown)[],
): Promise<Gateway> {
  // The WAL is copied into the database file on a thread of its own, not by the commit that
  // answers SMTP (store/sqlite/wal-checkpointer.ts).
  const checkpointer = new WalCheckpointer(db, {
    onError: (error) =>
      log.error({ event: 'db.checkpoint-failed', error }, 'the WAL checkpoint thread failed; the SMTP thread checkpoints past 128 MiB of WAL'),
  });
  opened.push(() => checkpointer.close());
  // DATA is spooled to disk as it arrives; what a crash left there was never acknowledged.
  const spool = new Spool(config.dataDir);
  const leftovers = spool.clean();
  if (leftovers > 0) log.info({ event: 'smtp.spool-cleaned', files: leftovers }, 'removed spool files of messages never answered');
  const { generated } = ensureApiToken(db, config.api.token);
  // Printed only once the gateway is up: a start that fails after this (a port in use) forgets the
  // token it made, so the next start makes and prints one (else it was shown to nobody).
  if (generated) opened.push(() => deleteSetting(db, API_TOKEN_KEY));
  const node = nodeId();
  // The ports over this connection (SQLite: one node owns the file, so job leases a dead process
  // left are cleared at start). Periodic jobs and the DKIM key go through them.
  const commit = new GroupCommit(db);
  opened.push(() => commit.close());
  const storage = sqliteStorage(db, { sessionTtlMs: SESSION_TTL_MS, commit });
  const freed = clearDeadLeases(db);
  if (freed.outbox) log.info({ event: 'queue.leases-released', rows: freed.outbox }, 'leases of a stopped process released');
  const dkimKey = config.dkim.enabled ? await loadDkimKey(storage.secrets, config.dataDir, config.domains[0] as string, config.dkim.selector) : null;
  const outboxStats = new OutboxRepo(db);
  const metrics = new Metrics(() => ({ depth: outboxStats.pendingCount(), oldestAgeSeconds: outboxStats.oldestPendingAgeSeconds() }));
  // The relay's letters join the SMTP thread's group commit (relay/group-commit.ts).
  const path = buildMessagePath(config, log, {
    storage,
    dkimKey,
    letters: sqliteLetters(commit, db),
    bounceSecret: loadBounceSecret(db),
    spool,
    metrics,
    nodeId: node,
    ...(options.workPool ? { workPool: options.workPool } : {}),
  });
  const { releaseWork, sign, transport, outboxEntry, worker, relay } = path;
  opened.push(releaseWork);
  let adminUrl = config.admin.publicUrl ?? '';
  // The digest and the record of what it announced are one unit of work through the ports.
  const notifier = new Notifier(
    storage.notifications,
    new OutboxEntry(storageLetters(storage), sign, (committed) => worker.wake(committed)),
    {
      domain: config.domains[0] as string,
      timeZone: config.admin.timeZone,
      adminUrl: () => adminUrl,
      intervalMs: config.admin.notifyIntervalMs,
      delayMs: config.admin.notifyDelayMs,
    },
    log.child({ component: 'notify' }),
  );
  const notice = noticeQueue(outboxEntry, config.domains[0] as string);
  const { campaigns, unsubscribes, service: campaignService } = await startCampaigns(config, storage, relay, notice, () => adminUrl, node, log, metrics);
  // Webhooks read the events feed on their own clock: a slow receiver never holds up mail.
  const webhooks = new WebhookSender(storage.webhooks, config.webhooks, log.child({ component: 'webhooks' }));
  const tls = loadTls(config);
  const listeners = createSmtpListeners(config, path, log, { resolver, tls, storage, metrics });
  // Renewed certificates are picked up without a restart.
  const reloader =
    tls && config.tls.cert && config.tls.key
      ? new TlsReloader({ cert: config.tls.cert, key: config.tls.key }, tls, [...listeners.all], log.child({ component: 'tls' }))
      : null;
  let smtpUp = false;
  let submissionPort: number | null = null;
  let submissionTlsPort: number | null = null;
  const outbox = new OutboxRepo(db);
  const app = createHttpApp({
    db,
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
    health: () => ({ smtp: smtpUp, queueDepth: outbox.pendingCount(), commitStopped: commit.stoppedBecause }),
    metrics,
    doctor: () => runDoctor({ config, db, resolver, dkimKey }),
    campaigns: { store: storage.campaigns, service: campaignService, sender: campaigns, notice },
    unsubscribes,
    trustedProxies: config.http.trustedProxies,
    publicUrl: () => adminUrl,
  });
  const http = createAdaptorServer({ fetch: app.fetch });

  // bindPorts closes what it bound when a port is refused.
  const ports: BoundPorts = await bindPorts(config, listeners, http as never, (bound) => {
    ({ submissionPort, submissionTlsPort } = bound);
    smtpUp = true;
  });
  adminUrl ||= `http://${config.http.host}:${ports.httpPort}`;
  opened.push(
    () => listeners.close(),
    () => new Promise<void>((resolve) => http.close(() => resolve())),
  );
  // Periodic jobs run on the node holding their lease (on SQLite: always this one).
  const jobLog = log.child({ component: 'jobs' });
  const campaignJob = campaignLeasedJob(storage, config, node, campaigns, jobLog);
  const notifierJob = new LeasedJob(storage.leases, 'notifier', node, notifier, jobLog);
  opened.push(() => campaignJob.end());
  await campaignJob.begin(); // before the worker: interrupted campaign deliveries are settled first
  opened.push(() => worker.stop());
  worker.start();
  opened.push(() => notifierJob.end());
  await notifierJob.begin();
  opened.push(() => webhooks.stop());
  webhooks.start();
  opened.push(() => reloader?.stop());
  reloader?.start(config.tls.watchIntervalMs);
  // Retention: purge old bodies and events when the lease is taken and every hour while it is held.
  const retentionJob = leasedRetentionJob(storage, config.retention, node, log, jobLog);
  opened.push(() => retentionJob.end());
  await retentionJob.begin();
  // The same link on every start until it is used or its 24 hours are over.
  const setup = (await storage.admin.users.count()) === 0 ? await currentSetupToken({ ...storage.secrets, swapSetting: storage.admin.swapSetting }) : null;
  const setupUrl = setup ? `${adminUrl}/setup?token=${setup.token}` : null;
  logListening(log, config, ports, transport);

  let stopped: Promise<void> | null = null;
  return {
    db,
    relay,
    ...ports,
    generatedApiToken: generated,
    setupUrl,
    setupExpiresAt: setup?.expiresAt ?? null,
    adminUrl,
    worker,
    notifier,
    campaigns,
    nodeId: node,
    jobs: { campaigns: campaignJob, notifier: notifierJob, retention: retentionJob },
    stop() {
      stopped ??= (async () => {
        smtpUp = false;
        reloader?.stop();
        await listeners.close();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        await retentionJob.end();
        await campaignJob.end();
        await notifierJob.end();
        await webhooks.stop();
        await worker.stop();
        await releaseWork();
        commit.close();
        await checkpointer.close();
        db.close();
        lock.release();
        log.info({ event: 'gateway.stopped' }, 'maskgate stopped');
      })();
      return stopped;
    },
  };
}
