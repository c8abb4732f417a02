// Owns delivery of outbox rows: claim due rows, hand them to the transport, record sent/deferred/
// failed with backoff, and queue a masked non-delivery notice to the author on a final failure.
// A row stays queued in the database while it is in flight, so a crash re-delivers it rather than
// losing it (a duplicate only for messages in flight at the crash).
import type { Logger } from 'pino';
import { classifyDeliveryError } from '../core/delivery-outcome.js';
import { buildNotice } from '../core/non-delivery-notice.js';
import { afterTemporaryFailure, type RetryPolicy } from '../core/retry-schedule.js';
import { composeMail } from '../relay/compose.js';
import { newRelayMessageId } from '../relay/pipeline.js';
import type { Db } from '../store/db.js';
import { MessageRepo } from '../store/messages.js';
import { OutboxRepo, type OutboxRow } from '../store/outbox.js';
import { PairRepo } from '../store/pairs.js';
import type { Transport } from './transport.js';

export interface WorkerOptions {
  readonly concurrency: number;
  readonly pollIntervalMs: number;
  readonly retry: RetryPolicy;
  readonly relayDomain: string;
}

export class OutboundWorker {
  readonly #db: Db;
  readonly #outbox: OutboxRepo;
  readonly #messages: MessageRepo;
  readonly #pairs: PairRepo;
  readonly #transport: Transport;
  readonly #options: WorkerOptions;
  readonly #log: Logger;
  readonly #held = new Map<number, Promise<void>>();
  #timer: NodeJS.Timeout | null = null;
  #wakeScheduled = false;
  #running = false;

  constructor(db: Db, transport: Transport, options: WorkerOptions, log: Logger) {
    this.#db = db;
    this.#outbox = new OutboxRepo(db);
    this.#messages = new MessageRepo(db);
    this.#pairs = new PairRepo(db);
    this.#transport = transport;
    this.#options = options;
    this.#log = log;
  }

  start(): void {
    this.#running = true;
    this.#timer = setInterval(() => this.#tick(), this.#options.pollIntervalMs);
    this.#timer.unref();
    this.wake();
  }

  /** Called after a commit: look for work now rather than at the next poll. */
  wake(): void {
    if (!this.#running || this.#wakeScheduled) return;
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
    const free = this.#options.concurrency - this.#held.size;
    if (free <= 0) return;
    let rows: OutboxRow[];
    try {
      rows = this.#outbox.due(Date.now(), free, new Set(this.#held.keys()));
    } catch (err) {
      this.#log.error({ event: 'queue.error', err: (err as Error).message }, 'could not read the outbox');
      return;
    }
    for (const row of rows) {
      const p = this.#deliver(row).finally(() => {
        this.#held.delete(row.id);
        this.wake();
      });
      this.#held.set(row.id, p);
    }
  }

  async #deliver(row: OutboxRow): Promise<void> {
    const attempts = row.attempts + 1;
    const raw = this.#outbox.raw(row.id);
    if (!raw) return;
    const log = this.#log.child({ outboxId: row.id, messageId: row.messageId });
    try {
      const response = await this.#transport.send({ from: row.envFrom, to: row.envTo }, raw);
      const status = this.#transport.kind === 'capture' ? 'captured' : 'sent';
      this.#outbox.markDone(row.id, status, attempts);
      log.info({ event: 'queue.sent', status, attempts, response: response.slice(0, 200) }, 'delivered');
    } catch (e) {
      const err = e as { responseCode?: number; code?: string; message?: string; response?: string };
      const error = String(err.response ?? err.message ?? e).slice(0, 1000);
      const outcome = classifyDeliveryError({ responseCode: err.responseCode, code: err.code, message: error });
      if (outcome === 'temporary') {
        const next = afterTemporaryFailure(row.createdAt, attempts, Date.now(), this.#options.retry);
        if (next.action === 'retry') {
          this.#outbox.markDeferred(row.id, attempts, next.at, error);
          log.info({ event: 'queue.defer', attempts, nextAttemptAt: new Date(next.at).toISOString(), error }, 'delivery deferred');
          return;
        }
        this.#fail(row, attempts, `gave up after ${attempts} attempts: ${error}`, log);
        return;
      }
      this.#fail(row, attempts, error, log);
    }
  }

  #fail(row: OutboxRow, attempts: number, error: string, log: Logger): void {
    this.#outbox.markFailed(row.id, attempts, error);
    log.warn({ event: 'queue.failed', attempts, error }, 'delivery failed');
    if (row.kind !== 'relay' || row.messageId === null) return; // never a notice about a notice
    void this.#notify(row, attempts, error).catch((err: Error) => log.error({ event: 'queue.notice-error', err: err.message }, 'could not queue the notice'));
  }

  async #notify(row: OutboxRow, attempts: number, error: string): Promise<void> {
    const message = this.#messages.authorOf(row.messageId as number);
    if (!message) return;
    const view = this.#pairs.byId(message.pairId);
    if (!view) return;
    const toStore = message.direction === 'buyer_to_store';
    const mail = buildNotice({
      authorEmail: message.authorEmail,
      relayDomain: this.#options.relayDomain,
      recipientName: toStore ? view.store.name : view.buyer.name || 'Buyer',
      aliasAddress: row.envFrom,
      failedAddress: row.envTo,
      subject: message.subject,
      reason: error,
      attempts,
      messageId: newRelayMessageId(this.#options.relayDomain),
      inReplyTo: null,
      now: new Date(),
    });
    const bytes = await composeMail(mail);
    // The author's address comes from our database (the message row), never from a header.
    this.#db.transaction(() => this.#outbox.enqueue({ messageId: row.messageId, kind: 'notice', envFrom: '', envTo: message.authorEmail, raw: bytes }))();
    this.wake();
  }
}
