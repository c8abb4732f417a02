// Owns delivery of outbox rows: claim due rows, hand them to the transport, record sent/deferred/
// failed with backoff, and queue a masked non-delivery notice to the author on a final failure.
// A row stays queued in the database while it is in flight, leased to this worker (node id and
// lease end written in a commit before the attempt), so a crash re-delivers it rather than losing
// it (a duplicate only for messages in flight at the crash), and no other worker takes it meanwhile.
// The queue is the storage port (store/ports.ts OutboxQueue): SQLite (its claims and marks ride the
// group commit) or PostgreSQL (FOR UPDATE SKIP LOCKED, so several nodes share one queue).
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import type { ByteBudget } from '../relay/byte-budget.js';
import { maskText } from '../core/body-scrub.js';
import { classifyDeliveryError } from '../core/delivery-outcome.js';
import { replyStatus } from '../core/mailbox-gone.js';
import { redactAddresses } from '../core/redact-addresses.js';
import { afterTemporaryFailure, type RetryPolicy } from '../core/retry-schedule.js';
import { nodeId, type OutboxQueue, type OutboxRow } from '../store/ports.js';
import type { CommittedBody } from '../relay/outbox-entry.js';
import type { BounceAddresses } from './bounce-address.js';
import { FreshBodies } from './fresh-bodies.js';
import type { FailureNotices } from './failure-notice.js';
import type { FinalFailures } from './final-failure.js';
import type { Transport } from './transport.js';

export interface WorkerOptions {
  readonly concurrency: number;
  readonly pollIntervalMs: number;
  readonly retry: RetryPolicy;
  readonly relayDomain: string;
  readonly bounces: BounceAddresses;
  /** Tells authors about final failures; shared with the bounce intake. */
  readonly notices: FailureNotices;
  /**
   * Writes a final failure: the row failed and, when the refusal says the mailbox is gone
   * (core/mailbox-gone.ts), the buyer undeliverable, in one unit of work (as a mailed bounce does).
   */
  readonly failures: FinalFailures;
  readonly metrics?: Metrics | undefined;
  /**
   * How long a claimed row stays leased to this worker (ms). Longer than any delivery attempt can
   * take (the SMTP transport gives up within a few minutes), so a live worker never loses a row it
   * holds; a dead one's rows are taken over once it runs out.
   */
  readonly leaseMs?: number | undefined;
  /** The lease owner id: the gateway's node id (store/ports.ts nodeId), a new one by default. */
  readonly nodeId?: string | undefined;
  /**
   * The gateway's byte budget (relay/byte-budget.ts), shared with intake: a delivery reads its
   * row's bytes only once it holds DELIVERY_MEMORY_PER_BYTE × their size, so `concurrency`
   * deliveries of 25 MB messages to a slow server cannot hold 10 × 50 MB beside the messages being
   * received. Without it (tests, tools) deliveries take no budget. A row whose committed bytes this
   * worker still holds (wake) waits ahead of the messages queued for processing (acquireFirst), so
   * it is sent from memory, and its bytes leave memory, before later commits push them out.
   */
  readonly memory?: Pick<ByteBudget, 'acquire' | 'acquireFirst'> | undefined;
  /**
   * How many bytes of just-committed messages (handed over by wake) this worker keeps to send
   * without reading them back from the database (fresh-bodies.ts); FRESH_BODY_BYTES by default, 0
   * reads every row from the database.
   */
  readonly freshBytes?: number | undefined;
}

/**
 * Memory one delivery holds per byte of its message: the bytes read from the outbox, and the
 * dot-stuffed copy written to the socket (outbound/smtp-data.ts).
 */
export const DELIVERY_MEMORY_PER_BYTE = 2;

/** A delivery waits for budget in steps of this long (it is not holding a client: it waits as long as it takes). */
const DELIVERY_WAIT_STEP_MS = 60_000;

/** 15 minutes: well past the transport's connection, greeting and socket timeouts together. */
const DEFAULT_LEASE_MS = 15 * 60_000;

export class OutboundWorker {
  readonly #outbox: OutboxQueue;
  readonly #transport: Transport;
  readonly #options: WorkerOptions;
  readonly #log: Logger;
  readonly #held = new Map<number, Promise<void>>();
  readonly #notices: FailureNotices;
  readonly #fresh: FreshBodies;
  #timer: NodeJS.Timeout | null = null;
  #wakeScheduled = false;
  readonly #refillAt: number;
  #running = false;
  #claiming = false;
  /** Work arrived while a claim was being committed: claim again once it is done. */
  #again = false;
  /** This worker's lease owner id: unique per process, so a restarted process is a new owner. */
  readonly nodeId: string;

  /** queue: the outbox port; on SQLite made with the gateway's group commit (sqliteStorage's `commit`). */
  constructor(queue: OutboxQueue, transport: Transport, options: WorkerOptions, log: Logger) {
    this.#outbox = queue;
    this.nodeId = options.nodeId ?? nodeId();
    this.#transport = transport;
    this.#options = options;
    this.#log = log;
    this.#notices = options.notices;
    this.#fresh = new FreshBodies(options.freshBytes);
    this.#refillAt = Math.max(1, Math.floor(options.concurrency / 5));
  }

  /**
   * Starts claiming. Leases a dead process left are not freed here (another node may be alive and
   * holding them): on SQLite the gateway frees them at start (one node owns the file); elsewhere
   * they are taken over once they run out.
   */
  start(): void {
    this.#running = true;
    this.#timer = setInterval(() => this.#tick(), this.#options.pollIntervalMs);
    this.#timer.unref();
    this.wake();
  }

  /**
   * Called after a commit: look for work now rather than at the next poll. `committed`: the rows'
   * signed bytes, sent from memory when this worker claims them next (else read from the database).
   */
  wake(committed: readonly CommittedBody[] = []): void {
    if (!this.#running) return;
    for (const body of committed) this.#fresh.put(body);
    if (this.#wakeScheduled) return;
    this.#wakeScheduled = true;
    setImmediate(() => {
      this.#wakeScheduled = false;
      this.#tick();
    });
  }

  /** Stops claiming rows and waits (bounded) for deliveries in hand. */
  async stop(graceMs = 10_000): Promise<void> {
    this.#running = false;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#held.values()]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    this.#transport.close();
  }

  get inFlight(): number {
    return this.#held.size;
  }

  #tick(): void {
    if (!this.#running) return;
    if (this.#claiming) {
      this.#again = true;
      return;
    }
    const free = this.#options.concurrency - this.#held.size;
    if (free <= 0) return;
    this.#claiming = true;
    // The claim is a write (the lease, and for campaign rows the attempt start: at most once, see
    // failInterrupted); delivery starts only once it is committed (on SQLite: the next group commit).
    this.#outbox
      .claim(this.nodeId, free, this.#options.leaseMs ?? DEFAULT_LEASE_MS)
      .then((rows) => {
        for (const row of rows) {
          if (this.#held.has(row.id)) continue; // still in our hands past its lease: never twice at once
          const p = this.#deliver(row)
            .catch((err: Error) => this.#log.error({ event: 'queue.error', outboxId: row.id, err: err.message }, 'could not record a delivery'))
            .finally(() => {
              this.#held.delete(row.id);
              // Refill in groups rather than one slot at a time: one claim for several deliveries.
              if (this.#options.concurrency - this.#held.size >= this.#refillAt || this.#held.size === 0) this.wake();
            });
          this.#held.set(row.id, p);
        }
        // A full claim may have left more due rows behind.
        if (rows.length === free) this.#again = true;
      })
      .catch((err: Error) => this.#log.error({ event: 'queue.error', err: err.message }, 'could not claim outbox rows'))
      .finally(() => {
        this.#claiming = false;
        if (this.#again) {
          this.#again = false;
          this.wake();
        }
      });
  }

  async #deliver(row: OutboxRow): Promise<void> {
    const memory = this.#options.memory;
    if (!memory) return this.#send(row);
    const waitFrom = Date.now();
    const cost = row.size * DELIVERY_MEMORY_PER_BYTE;
    let release = null;
    while (!release && this.#running) {
      release = await (this.#fresh.has(row.id) ? memory.acquireFirst(cost, DELIVERY_WAIT_STEP_MS) : memory.acquire(cost, DELIVERY_WAIT_STEP_MS));
    }
    if (!release) return;
    try {
      // The wait may have outlasted the lease, and another node may have claimed the row since:
      // the attempt starts only under a fresh lease this node still holds, or not at all (the
      // holder sends it; a lapsed row is claimed again later).
      // A grant within a second leaves the lease as it was claimed (no extra write per delivery).
      const leaseMs = this.#options.leaseMs ?? DEFAULT_LEASE_MS;
      if (Date.now() - waitFrom >= Math.min(1000, leaseMs / 2) && !(await this.#outbox.extend(row.id, this.nodeId, leaseMs))) {
        this.#log.info({ event: 'queue.lease-lost', outboxId: row.id }, 'the row was claimed by another node while this delivery waited for memory');
        return;
      }
      await this.#send(row);
    } finally {
      release();
    }
  }

  async #send(row: OutboxRow): Promise<void> {
    const attempts = row.attempts + 1;
    const raw = this.#fresh.take(row) ?? (await this.#outbox.delivered(row.id));
    if (!raw) return;
    const log = this.#log.child({ outboxId: row.id, messageId: row.messageId });
    // Remote replies often quote the recipient (`450 4.2.0 <jane@…>: greylisted`, `550 5.1.1 <…>:
    // user unknown`): what is logged and what is stored (and shown to staff) names the alias
    // instead, and keeps only the domain of any other address.
    const scrub = (text: string) =>
      redactAddresses(maskText(text, { addresses: [row.envTo], names: [] }, { address: row.envFrom || '[recipient]', name: '' }).value, [
        this.#options.relayDomain,
      ]);
    let response: string;
    try {
      // Relayed mail leaves with a signed bounce address naming this row, so an asynchronous
      // bounce finds its way back; notices keep the null sender.
      const from = row.kind === 'relay' ? this.#options.bounces.make(row.id) : row.envFrom;
      response = await this.#transport.send({ from, to: row.envTo }, raw);
    } catch (e) {
      await this.#afterError(row, attempts, e, log, scrub);
      return;
    }
    const status = this.#transport.kind === 'capture' ? 'captured' : 'sent';
    // Status updates are batched on SQLite (nobody waits on them; they share commits with incoming
    // mail). Should this commit fail or the gateway die before it, the row stays queued and is
    // delivered again (a duplicate, never a loss; campaign rows are reported unknown instead).
    await this.#outbox.markDone(row.id, status, attempts);
    // The message is delivered whatever this write does: a failure to clear the mark is logged, not retried.
    if (status === 'sent') {
      await this.#options.failures.accepted(row).then(
        (cleared) =>
          cleared &&
          log.info({ event: 'buyer.deliverable', via: 'delivery' }, "the recipient's undeliverable mark was cleared: the smarthost accepted a message"),
        (err: Error) => log.error({ event: 'queue.deliverable-error', err: err.message }, 'could not clear the undeliverable mark'),
      );
    }
    this.#options.metrics?.deliveries.inc({ kind: row.kind, status });
    this.#options.metrics?.deliverySeconds.observe({ kind: row.kind }, (Date.now() - row.createdAt) / 1000);
    log.info({ event: 'queue.sent', status, attempts, response: scrub(response.slice(0, 200)) }, 'delivered');
  }

  async #afterError(row: OutboxRow, attempts: number, e: unknown, log: Logger, scrub: (s: string) => string): Promise<void> {
    const err = e as { responseCode?: number; code?: string; message?: string; response?: string };
    const error = scrub(String(err.response ?? err.message ?? e).slice(0, 1000));
    const outcome = classifyDeliveryError({ responseCode: err.responseCode, code: err.code, message: error });
    if (outcome === 'temporary') {
      const next = afterTemporaryFailure(row.createdAt, attempts, Date.now(), this.#options.retry);
      if (next.action === 'retry') {
        await this.#outbox.markDeferred(row.id, attempts, next.at, error);
        this.#options.metrics?.deliveries.inc({ kind: row.kind, status: 'deferred' });
        log.info({ event: 'queue.defer', attempts, nextAttemptAt: new Date(next.at).toISOString(), error }, 'delivery deferred');
        return;
      }
      await this.#fail(row, attempts, `gave up after ${attempts} attempts: ${error}`, null, log);
      return;
    }
    // A permanent refusal (5xx): its enhanced status code (`550 5.1.1 …`) says whether the mailbox
    // is gone. The reply is the remote server's own, unscrubbed: only its code is read.
    const status = typeof err.response === 'string' ? replyStatus(err.response) : null;
    await this.#fail(row, attempts, error, status, log);
  }

  /** `error` is already scrubbed: it is stored and shown to staff. `status`: the refusal's enhanced status code, if any. */
  async #fail(row: OutboxRow, attempts: number, error: string, status: string | null, log: Logger): Promise<void> {
    const { undeliverable } = await this.#options.failures.write(row, attempts, error, status);
    this.#options.metrics?.deliveries.inc({ kind: row.kind, status: 'failed' });
    log.warn({ event: 'queue.failed', attempts, error, status, undeliverable }, 'delivery failed');
    void this.#notices
      .send(row, attempts, error)
      .catch((err: Error) => log.error({ event: 'queue.notice-error', err: err.message }, 'could not queue the notice'));
  }
}
