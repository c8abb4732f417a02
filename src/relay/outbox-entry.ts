// Owns the one way into the outbox: every message we send — relayed conversation mail, mail to
// postmaster@/abuse@, staff notifications, failure notices, campaign and confirmation notices — is
// composed (relay/compose.ts), DKIM-signed on the exact bytes stored and sent, queued in one
// transaction together with whatever the caller records beside it, and then the delivery worker is
// woken. Nothing else writes outbox rows (store/outbox.ts is only the table).
import { randomBytes } from 'node:crypto';
import { tokenFromBytes } from '../core/alias-token.js';
import type { OutgoingMail } from '../core/types.js';
import type { OutboxRepo } from '../store/outbox.js';
import { composeMail } from './compose.js';
import type { GroupCommit } from './group-commit.js';

/** DKIM-signs composed RFC 5322 bytes (outbound/dkim.ts implements it; `unsigned` passes them on). */
export type Signer = (raw: Buffer) => Promise<Buffer>;

/** Random Message-ID on the relay domain (RFC 5322 §3.6.4), never derived from the original. */
export function newRelayMessageId(domain: string): string {
  return `<${tokenFromBytes(randomBytes(13))}${tokenFromBytes(randomBytes(13))}@${domain}>`;
}

/** One message for the outbox. */
export interface Letter {
  /** The message; or its composed, unsigned bytes when a worker thread already composed it. */
  readonly mail: OutgoingMail | Uint8Array;
  /** The bytes already carry our DKIM-Signature (a pool thread composed and signed them): not signed again. */
  readonly signed?: boolean | undefined;
  /** 'relay': conversation mail (bounces come back to its signed address); 'notice': from the null sender. */
  readonly kind: 'relay' | 'notice';
  /** The envelope: from our database, never from headers of incoming mail. '' is the null sender. */
  readonly envFrom: string;
  readonly envTo: string;
  /** Delivered at most once (campaign mail): an attempt cut by a crash is not repeated. */
  readonly atMostOnce?: boolean | undefined;
  /**
   * Runs inside the transaction, before the outbox row is written: stores what the row belongs to
   * and returns its message id (the messages row), or null for mail that is not a conversation.
   */
  readonly record?: (() => number | null) | undefined;
  /** Runs inside the transaction once the outbox row exists (a campaign's ledger row). */
  readonly recorded?: ((messageId: number | null, outboxId: number) => void) | undefined;
}

export interface Posted {
  /** Message ids returned by the letters' `record`, in order, nulls left out. */
  readonly messageIds: readonly number[];
  readonly outboxIds: readonly number[];
}

export interface PostOptions {
  /** A message no client waits on (campaign mail) joins a larger, cheaper commit (group-commit.ts). */
  readonly batched?: boolean | undefined;
  /** Other writes that must land in the same transaction (e.g. what a notification announced). */
  readonly alongside?: (() => void) | undefined;
  /** The time written on the rows, ms since the epoch. */
  readonly now?: number | undefined;
}

export class OutboxEntry {
  readonly #commit: GroupCommit;
  readonly #outbox: OutboxRepo;
  readonly #sign: Signer;
  readonly #wake: () => void;

  /** wake: tells the delivery worker (outbound/worker.ts) that rows are due now. */
  constructor(commit: GroupCommit, outbox: OutboxRepo, sign: Signer, wake: () => void) {
    this.#commit = commit;
    this.#outbox = outbox;
    this.#sign = sign;
    this.#wake = wake;
  }

  /**
   * Composes and signs every letter (not those a pool thread signed already), writes them (with their records and `alongside`) in one
   * transaction, then wakes the worker. Resolves after the commit; rejects if the transaction
   * fails (nothing is then queued). An empty list with no `alongside` writes nothing.
   */
  async post(letters: readonly Letter[], options: PostOptions = {}): Promise<Posted> {
    if (letters.length === 0 && !options.alongside) return { messageIds: [], outboxIds: [] };
    const bytes: Buffer[] = [];
    for (const l of letters) {
      const raw = await composed(l.mail);
      bytes.push(l.signed === true && l.mail instanceof Uint8Array ? raw : await this.#sign(raw));
    }
    const now = options.now ?? Date.now();
    const write = (): Posted => {
      const messageIds: number[] = [];
      const outboxIds: number[] = [];
      letters.forEach((l, i) => {
        const messageId = l.record ? l.record() : null;
        if (messageId !== null) messageIds.push(messageId);
        const outboxId = this.#outbox.enqueue(
          { messageId, kind: l.kind, envFrom: l.envFrom, envTo: l.envTo, raw: bytes[i] as Buffer, atMostOnce: l.atMostOnce === true },
          now,
        );
        outboxIds.push(outboxId);
        l.recorded?.(messageId, outboxId);
      });
      options.alongside?.();
      return { messageIds, outboxIds };
    };
    const posted = await (options.batched ? this.#commit.runBatched(write) : this.#commit.run(write));
    if (letters.length > 0) this.#wake();
    return posted;
  }
}

async function composed(mail: OutgoingMail | Uint8Array): Promise<Buffer> {
  if (mail instanceof Uint8Array) return Buffer.isBuffer(mail) ? mail : Buffer.from(mail.buffer, mail.byteOffset, mail.byteLength);
  return composeMail(mail);
}
