// Owns what both kinds of node start the same way — gateway.ts on SQLite and gateway-pg.ts on
// PostgreSQL: the message path from the SMTP listeners through the work pool and the pipeline to
// the outbox and its delivery worker, the listeners themselves, binding the ports, and the
// "listening" line. Each gateway keeps only what differs: how storage opens, where the DKIM key, the
// bounce secret and the queue figures come from, and the HTTP application around the same routes.
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { SMTPServer } from 'smtp-server';
import type { AppConfig } from './config.js';
import type { DnsResolver } from './dns/resolver.js';
import type { Metrics } from './metrics.js';
import { BounceAddresses } from './outbound/bounce-address.js';
import { BounceIntake } from './outbound/bounce-intake.js';
import { unsigned, type DkimKey } from './outbound/dkim.js';
import { FailureNotices } from './outbound/failure-notice.js';
import { createTransport, type Transport } from './outbound/transport.js';
import { FinalFailures } from './outbound/final-failure.js';
import { OutboundWorker } from './outbound/worker.js';
import { ByteBudget } from './relay/byte-budget.js';
import { OutboxEntry, type LetterWriter, type Signer } from './relay/outbox-entry.js';
import { Relay } from './relay/pipeline.js';
import { autoThreads, WorkPool } from './relay/work-pool.js';
import { DataAdmission } from './smtp/data-admission.js';
import { createSmtpListener, dataWaitMs, type Intake, type TlsFiles } from './smtp/listener.js';
import type { Spool } from './smtp/spool.js';
import type { Storage } from './store/ports.js';

/** Bounce addresses stay valid for the delivery lifetime plus a week of late bounces (seconds). */
function bounceValiditySeconds(config: AppConfig): number {
  return config.outbound.lifetime + 7 * 86_400;
}

/** Listens on host:port (0: any free port) and resolves with the port taken. */
export function listen(
  server: {
    listen: (port: number, host: string) => unknown;
    once: (ev: string, fn: (err: Error) => void) => unknown;
    address: () => AddressInfo | string | null;
  },
  port: number,
  host: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => resolve((server.address() as AddressInfo).port));
    server.listen(port, host);
  });
}

/** A work pool a gateway uses until it stops, and how it gives it back then. */
export interface WorkPoolLease {
  readonly pool: WorkPool;
  /** Called once by the gateway's stop (or a failed start): closes the pool when the gateway owns it. */
  release(): Promise<void>;
}

/**
 * Where a gateway's work pool comes from, given its thread count and DKIM key (the threads sign
 * with it). Production nodes take ownWorkPool; the tests' harness lends one warm pool per key to
 * every gateway it starts in a test file (test/helpers/shared-pools.ts), so a test that starts a
 * gateway does not pay for a thread's start and warm-up each time.
 */
export type WorkPoolSource = (threads: number, dkim: DkimKey | null) => WorkPoolLease;

/** A pool of the gateway's own: its first thread starts and warms up at once; stop closes it. */
export const ownWorkPool: WorkPoolSource = (threads, dkim) => {
  const pool = new WorkPool(threads, dkim);
  void pool.warmUp();
  return { pool, release: () => pool.close() };
};

/** What the message path is built from; each gateway opens these its own way. */
export interface MessagePathSources {
  readonly storage: Storage;
  /** null when DKIM is off: the outbox then stores and sends unsigned bytes. */
  readonly dkimKey: DkimKey | null;
  /** How the relay's letters reach the database: SQLite's group commit, or the storage ports. */
  readonly letters: LetterWriter;
  /** The HMAC key of the signed bounce addresses (VERP, outbound/bounce-address.ts). */
  readonly bounceSecret: Buffer;
  /** DATA spooled to this node's disk until it is answered. */
  readonly spool: Spool;
  readonly metrics: Metrics;
  /** This process's node id: the lease owner of the outbox rows it claims. */
  readonly nodeId: string;
  /** The work pool's source: ownWorkPool unless the caller lends one (GatewayOptions.workPool). */
  readonly workPool?: WorkPoolSource;
}

/** The message path of one node, built and not yet started (the worker starts in the gateway). */
export interface MessagePath {
  /** Sender authentication, parse, rewrite, compose and DKIM signing, on worker threads (work-pool.ts). */
  readonly work: WorkPool;
  /** Gives the work pool back (closes it unless it was lent); once, when the node stops. */
  readonly releaseWork: () => Promise<void>;
  /** One memory budget (bytes) for the messages being received and the ones being delivered. */
  readonly budget: ByteBudget;
  readonly intake: Intake;
  /** Signs composed bytes on a pool thread, or passes them on unsigned when DKIM is off. */
  readonly sign: Signer;
  readonly transport: Transport;
  /** The one way into the outbox: compose, sign, queue in one commit, wake the worker. */
  readonly outboxEntry: OutboxEntry;
  readonly worker: OutboundWorker;
  /** The pipeline every message goes through (the admin's and the API's messages too). */
  readonly relay: Relay;
}

/**
 * Builds the message path both gateways share, from SMTP intake to the delivery worker: the work
 * pool (one thread per core unless `smtp.workerThreads` says otherwise) warming up, the byte budget
 * (`smtp.inFlightBytes`), the outbox entry, failure notices, the outbound worker (not started),
 * bounce intake (a bounce is believed while its signed address is valid) and the relay pipeline.
 */
export function buildMessagePath(config: AppConfig, log: Logger, sources: MessagePathSources): MessagePath {
  const domain = config.domains[0] as string;
  const { pool: work, release: releaseWork } = (sources.workPool ?? ownWorkPool)(config.smtp.workerThreads || autoThreads(), sources.dkimKey);
  const budget = new ByteBudget(config.smtp.inFlightBytes);
  const sign = sources.dkimKey ? work.sign : unsigned;
  const bounces = new BounceAddresses(sources.bounceSecret, domain, bounceValiditySeconds(config));
  const transport = createTransport(config);
  const outboxEntry = new OutboxEntry(sources.letters, sign, (committed) => worker.wake(committed));
  const notices = new FailureNotices(sources.storage.mail, outboxEntry, domain);
  const worker = new OutboundWorker(
    sources.storage.outbox,
    transport,
    {
      concurrency: config.outbound.concurrency,
      pollIntervalMs: config.outbound.pollIntervalMs,
      retry: { schedule: config.outbound.retrySchedule, thereafter: config.outbound.retryThereafter, lifetime: config.outbound.lifetime },
      relayDomain: domain,
      bounces,
      notices,
      failures: new FinalFailures(sources.storage),
      metrics: sources.metrics,
      nodeId: sources.nodeId,
      leaseMs: config.outbound.leaseSeconds * 1000,
      memory: budget,
    },
    log.child({ component: 'outbound' }),
  );
  const bounceIntake = new BounceIntake(sources.storage, bounces, notices, config.domains, bounceValiditySeconds(config) * 1000);
  const relay = new Relay(
    sources.storage,
    { domains: config.domains, parseTimeoutMs: config.smtp.parseTimeoutMs, filters: config.filters, postmaster: config.smtp.postmaster },
    {
      verify: (local) => bounceIntake.verify(local),
      async handle(mail, outboxId, log) {
        const outcome = await bounceIntake.handle(mail, outboxId, log);
        sources.metrics.bounces.inc({ outcome: String(outcome) });
        return outcome;
      },
    },
    outboxEntry,
    work,
  );
  return {
    work,
    releaseWork,
    budget,
    intake: { spool: sources.spool, budget, admission: new DataAdmission(config.smtp.dataSlots) },
    sign,
    transport,
    outboxEntry,
    worker,
    relay,
  };
}

/** One smtp-server listener (its `server` is the net.Server that binds the port). */
type SmtpListener = SMTPServer;

/** The SMTP listeners of one node; the submission ones are null when off. */
export interface SmtpListeners {
  /** The MX port: mail from anyone, sender authentication by SPF/DKIM/DMARC. */
  readonly mx: SmtpListener;
  /** Submission with STARTTLS (587 in production): app passwords over TLS. */
  readonly submission: SmtpListener | null;
  /** Submission with implicit TLS (465 in production). */
  readonly submissionTls: SmtpListener | null;
  /** Those that exist, for reloading certificates and closing. */
  readonly all: readonly SmtpListener[];
  /** Stops accepting and resolves when every listener has closed. */
  close(): Promise<void>;
}

/**
 * The MX listener, and the submission listeners when `submission.enabled` and a certificate is
 * configured (submission needs STARTTLS with our own certificate: without one it stays off, and a
 * warning says so). App passwords are checked through the storage ports on either database.
 */
export function createSmtpListeners(
  config: AppConfig,
  path: Pick<MessagePath, 'relay' | 'intake'>,
  log: Logger,
  context: { readonly resolver: DnsResolver; readonly tls: TlsFiles | null; readonly storage: Storage; readonly metrics: Metrics },
): SmtpListeners {
  const { relay, intake } = path;
  const { tls, metrics, storage } = context;
  const smtpLog = log.child({ component: 'smtp' });
  const mx = createSmtpListener(config, relay, smtpLog, { kind: 'mx', resolver: context.resolver, tls }, metrics, intake);
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
  // smtp-server cuts a socket idle for smtp.socketTimeoutMs, also one waiting for its 354: the wait
  // for a DATA slot ends 5 s before (listener.ts dataWaitMs). Said once here rather than refused at
  // validation: lowering smtp.socketTimeoutMs alone must not make the default smtp.dataWaitMs invalid.
  const waitMs = dataWaitMs(config.smtp);
  if (waitMs < config.smtp.dataWaitMs) {
    log.warn(
      { event: 'config.data-wait-cut', dataWaitMs: config.smtp.dataWaitMs, socketTimeoutMs: config.smtp.socketTimeoutMs, effectiveDataWaitMs: waitMs },
      `smtp.dataWaitMs is cut to ${waitMs} ms, 5 s below smtp.socketTimeoutMs: raise smtp.socketTimeoutMs or lower smtp.dataWaitMs`,
    );
  }
  if (config.submission.enabled && !tls) {
    log.warn({ event: 'submission.disabled', reason: 'no TLS certificate' }, 'submission port is off: set tls.cert and tls.key to enable it');
  }
  const all = [mx, submission, submissionTls].filter((s) => s !== null);
  return {
    mx,
    submission,
    submissionTls,
    all,
    close: () => Promise.all(all.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() => undefined),
  };
}

/** The ports a node bound. */
export interface BoundPorts {
  readonly smtpPort: number;
  readonly submissionPort: number | null;
  readonly submissionTlsPort: number | null;
  readonly httpPort: number;
}

/**
 * Binds the SMTP listeners and then HTTP on the configured hosts and ports (0: any free port),
 * calling `smtpUp` once every SMTP listener is bound and before HTTP is. On a failure (port taken,
 * address not available) the SMTP listeners are closed and the error is rethrown; the caller
 * releases the rest.
 */
export async function bindPorts(
  config: AppConfig,
  listeners: SmtpListeners,
  http: Parameters<typeof listen>[0],
  smtpUp: (ports: { submissionPort: number | null; submissionTlsPort: number | null }) => void,
): Promise<BoundPorts> {
  try {
    const smtpPort = await listen(listeners.mx.server, config.smtp.port, config.smtp.host);
    const submissionPort = listeners.submission ? await listen(listeners.submission.server, config.submission.port, config.submission.host) : null;
    const submissionTlsPort = listeners.submissionTls
      ? await listen(listeners.submissionTls.server, config.submission.implicitTlsPort ?? 0, config.submission.host)
      : null;
    smtpUp({ submissionPort, submissionTlsPort });
    const httpPort = await listen(http, config.http.port, config.http.host);
    return { smtpPort, submissionPort, submissionTlsPort, httpPort };
  } catch (err) {
    for (const s of listeners.all) s.close(() => undefined);
    throw err;
  }
}

/** Logs `gateway.listening` with every bound address (`extra`: what only one kind of node says). */
export function logListening(log: Logger, config: AppConfig, ports: BoundPorts, transport: Transport, extra: Record<string, unknown> = {}): void {
  log.info(
    {
      event: 'gateway.listening',
      ...extra,
      smtp: `${config.smtp.host}:${ports.smtpPort}`,
      submission: ports.submissionPort === null ? null : `${config.submission.host}:${ports.submissionPort}`,
      submissionTls: ports.submissionTlsPort === null ? null : `${config.submission.host}:${ports.submissionTlsPort}`,
      http: `${config.http.host}:${ports.httpPort}`,
      domains: config.domains,
      transport: transport.kind,
      ...ports,
    },
    'maskgate is listening',
  );
}
