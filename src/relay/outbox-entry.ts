// Owns the one way into the outbox: every message we send — relayed conversation mail, mail to
// postmaster@/abuse@, staff notifications, failure notices, campaign and confirmation notices — is
// composed (relay/compose.ts), DKIM-signed on the exact bytes stored and sent, queued in one
// transaction together with whatever the caller records beside it, and then the delivery worker is
// woken. Nothing else writes outbox rows (store/outbox.ts is only the table).
import { randomBytes } from 'node:crypto';
import { TOKEN_BYTES, tokenFromBytes } from '../core/alias-token.js';
import type { OutgoingMail } from '../core/types.js';
import type { Db } from '../store/db.js';
import { CampaignRepo } from '../store/campaigns.js';
import { EventRepo } from '../store/events.js';
import { MessageRepo, type NewMessage } from '../store/messages.js';
import { OutboxRepo } from '../store/outbox.js';
import type { Repositories, Storage } from '../store/ports.js';
import { inFile } from '../store/spooled-bytes.js';
import { insertMessageSync } from '../store/sqlite/mail.js';
import { carriesFiles, composeMail } from './compose.js';
import type { GroupCommit } from './group-commit.js';
import { sharedBody, type SharedBody } from './shared-body.js';

/** DKIM-signs composed RFC 5322 bytes (outbound/dkim.ts implements it; `unsigned` passes them on). */
export type Signer = (raw: Buffer) => Promise<Buffer>;

/** CSPRNG bytes for this many Message-IDs are drawn at once (2 × TOKEN_BYTES each: 3.3 KB). */
const IDS_A_DRAW = 128;
let idPool = new Uint8Array(0);
let idAt = 0;

/**
 * Random Message-ID on the relay domain (RFC 5322 §3.6.4), never derived from the original. Its 26
 * bytes come from one CSPRNG draw shared by IDS_A_DRAW of them, each byte used once (as Node's
 * randomUUID caches): two `randomBytes(13)` calls a message were ~0.02 ms of the SMTP thread at
 * 10 KiB (README "Round 23: the SMTP thread at 10 KiB").
 */
export function newRelayMessageId(domain: string): string {
  if (idAt + 2 * TOKEN_BYTES > idPool.length) {
    idPool = randomBytes(IDS_A_DRAW * 2 * TOKEN_BYTES);
    idAt = 0;
  }
  const first = idPool.subarray(idAt, idAt + TOKEN_BYTES);
  const second = idPool.subarray(idAt + TOKEN_BYTES, idAt + 2 * TOKEN_BYTES);
  idAt += 2 * TOKEN_BYTES;
  return `<${tokenFromBytes(first)}${tokenFromBytes(second)}@${domain}>`;
}

/** One message for the outbox. */
export interface Letter {
  /** The message; or its composed, unsigned bytes when a worker thread already composed it. */
  readonly mail: OutgoingMail | Uint8Array;
  /** The bytes already carry our DKIM-Signature (a pool thread composed and signed them): not signed again. */
  readonly signed?: boolean | undefined;
  /**
   * With signed bytes and a `message`: `mail` is only the signed copy's header block, and its body is
   * `message.raw` from `from`, `length` bytes (work.ts Prepared.sharedBody). Stored as a header block
   * pointing at the original's body (shared-body.ts); delivered as both.
   */
  readonly sharedBody?: { readonly from: number; readonly length: number } | null | undefined;
  /**
   * When `mail` is bytes: whether they carry a file part (compose.ts carriesFiles of the mail they
   * were composed from), for the inbox's paperclip. Read from the mail when it is not composed yet.
   */
  readonly files?: boolean | undefined;
  /** 'relay': conversation mail (bounces come back to its signed address); 'notice': from the null sender. */
  readonly kind: 'relay' | 'notice';
  /** The envelope: from our database, never from headers of incoming mail. '' is the null sender. */
  readonly envFrom: string;
  readonly envTo: string;
  /** Delivered at most once (campaign mail): an attempt cut by a crash is not repeated. */
  readonly atMostOnce?: boolean | undefined;
  /**
   * The conversation message this letter delivers: its messages row (with its body, search text
   * and message.received event) is written in the transaction, before the outbox row, which
   * points at it. On either database.
   */
  readonly message?: NewMessage | undefined;
  /** A stored message this letter is about (a failure notice to its author): the outbox row points at it. */
  readonly forMessage?: number | undefined;
  /**
   * SQLite only (a caller that writes with the synchronous repositories): runs inside the
   * transaction, before the outbox row is written: stores what the row belongs to and returns its
   * message id, or null for mail that is not a conversation.
   */
  readonly record?: (() => number | null) | undefined;
  /**
   * A campaign's ledger row this letter sends: marked sent (with the message and outbox ids) in the
   * same transaction, only while `owner` holds its claim; otherwise the transaction is rolled back
   * with LedgerClaimLost (on either database).
   */
  readonly ledgerRow?: { readonly id: number; readonly owner: string } | undefined;
}

/** A campaign ledger row's claim ran out and another node resolved or took it: nothing was stored or queued. */
export class LedgerClaimLost extends Error {
  constructor(readonly recipientId: number) {
    super(`campaign recipient ${recipientId}: this node no longer holds its claim; not sent`);
  }
}

export interface Posted {
  /** Message ids returned by the letters' `record`, in order, nulls left out. */
  readonly messageIds: readonly number[];
  readonly outboxIds: readonly number[];
}

export interface PostOptions {
  /** A message no client waits on (campaign mail) joins a larger, cheaper commit (group-commit.ts). */
  readonly batched?: boolean | undefined;
  /** SQLite only: other writes that must land in the same transaction (e.g. what a notification announced). */
  readonly alongside?: (() => void) | undefined;
  /**
   * Through the ports (storageLetters, either database): other writes that must land in the same
   * unit of work, given its repositories (e.g. what a notification announced). It must await only
   * those repositories (Storage.write's rule on SQLite).
   */
  readonly alongsideTx?: ((tx: Repositories) => Promise<void>) | undefined;
  /** The time written on the rows, ms since the epoch. */
  readonly now?: number | undefined;
}

/** The signed bytes of one outbox row just committed, and the recipient they were queued for. */
export interface CommittedBody {
  readonly outboxId: number;
  readonly envTo: string;
  /** The bytes delivered; with `body`, only their header block. */
  readonly raw: Buffer;
  /** The body delivered after `raw`, when it is the original's (a view of the bytes received): not copied until it is sent. */
  readonly body?: Buffer | undefined;
}

/** One letter composed and signed: the bytes stored and sent, and whether they carry a file part. */
export interface SignedLetter {
  readonly letter: Letter;
  /** The signed copy; with `shared`, it may be its header block only (`shared.head` bytes). */
  readonly raw: Buffer;
  readonly files: boolean;
  /** The body `raw` shares with the letter's stored original (shared-body.ts): only its header block is stored again. */
  readonly shared?: SharedBody | null | undefined;
}

/** The outbox row's bytes and the original's body it points at, for a signed letter of a stored message. */
function stored(s: SignedLetter): { raw: Buffer; originalBody?: { from: number; length: number } } {
  if (!s.shared) return { raw: s.raw };
  return { raw: s.raw.subarray(0, s.shared.head), originalBody: { from: s.shared.from, length: s.shared.length } };
}

/**
 * Where signed letters are written, all in one transaction: per letter its message (or record),
 * its outbox row and its campaign ledger row; then `alongside`. Resolves once durable.
 */
export type LetterWriter = (
  letters: readonly SignedLetter[],
  o: {
    readonly batched: boolean;
    readonly now: number;
    readonly alongside?: (() => void) | undefined;
    readonly alongsideTx?: ((tx: Repositories) => Promise<void>) | undefined;
  },
) => Promise<Posted>;

/**
 * On SQLite: the gateway's group commit (many sessions share one fsync), the synchronous
 * repositories on its connection. A message no client waits on joins a larger, cheaper batch.
 */
export function sqliteLetters(commit: GroupCommit, db: Db): LetterWriter {
  const outbox = new OutboxRepo(db);
  const messages = new MessageRepo(db);
  const events = new EventRepo(db);
  const ledger = new CampaignRepo(db);
  return (letters, o) => {
    if (o.alongsideTx) return Promise.reject(new Error('alongsideTx needs a writer through the ports (storageLetters)'));
    const write = (): Posted => {
      const messageIds: number[] = [];
      const outboxIds: number[] = [];
      for (const s of letters) {
        const { letter: l, files } = s;
        const messageId = l.message ? insertMessageSync(messages, events, l.message) : l.record ? l.record() : (l.forMessage ?? null);
        if (messageId !== null) messageIds.push(messageId);
        const outboxId = outbox.enqueue(
          { messageId, kind: l.kind, envFrom: l.envFrom, envTo: l.envTo, ...stored(s), atMostOnce: l.atMostOnce === true, files },
          o.now,
        );
        outboxIds.push(outboxId);
        if (l.ledgerRow && !ledger.markSent(l.ledgerRow.id, messageId as number, outboxId, o.now, l.ledgerRow.owner)) throw new LedgerClaimLost(l.ledgerRow.id);
      }
      o.alongside?.();
      return { messageIds, outboxIds };
    };
    return o.batched ? commit.runBatched(write) : commit.run(write);
  };
}

/**
 * On any storage (PostgreSQL): one unit of work through the ports. Letters carrying synchronous
 * SQLite callbacks (`record`, `alongside`) are refused: their callers run on SQLite only.
 */
export function storageLetters(storage: Storage): LetterWriter {
  return (letters, o) => {
    if (o.alongside || letters.some(({ letter: l }) => l.record))
      return Promise.reject(new Error(`this letter writes with the SQLite repositories; not available on ${storage.kind}`));
    return storage.write(async (tx) => {
      const messageIds: number[] = [];
      const outboxIds: number[] = [];
      for (const s of letters) {
        const { letter: l, files } = s;
        const messageId = l.message ? await tx.mail.insertMessage(l.message) : (l.forMessage ?? null);
        if (messageId !== null) messageIds.push(messageId);
        const outboxId = await tx.outbox.enqueue(
          { messageId, kind: l.kind, envFrom: l.envFrom, envTo: l.envTo, ...stored(s), atMostOnce: l.atMostOnce === true, files },
          o.now,
        );
        outboxIds.push(outboxId);
        if (l.ledgerRow && !(await tx.ledger.markSent(l.ledgerRow.id, messageId as number, outboxId, o.now, l.ledgerRow.owner)))
          throw new LedgerClaimLost(l.ledgerRow.id);
      }
      await o.alongsideTx?.(tx);
      return { messageIds, outboxIds };
    });
  };
}

export class OutboxEntry {
  readonly #write: LetterWriter;
  readonly #sign: Signer;
  readonly #wake: (committed: readonly CommittedBody[]) => void;

  /**
   * write: sqliteLetters or storageLetters. wake: tells the delivery worker (outbound/worker.ts)
   * that rows are due now, handing it their committed bytes (so it need not read them back).
   */
  constructor(write: LetterWriter, sign: Signer, wake: (committed: readonly CommittedBody[]) => void) {
    this.#write = write;
    this.#sign = sign;
    this.#wake = wake;
  }

  /**
   * Composes and signs every letter (not those a pool thread signed already), writes them (with their records and `alongside`) in one
   * transaction, then wakes the worker with the committed bytes. Resolves after the commit; rejects if the transaction
   * fails (nothing is then queued). An empty list with no `alongside` writes nothing.
   */
  async post(letters: readonly Letter[], options: PostOptions = {}): Promise<Posted> {
    if (letters.length === 0 && !options.alongside && !options.alongsideTx) return { messageIds: [], outboxIds: [] };
    const signed: SignedLetter[] = [];
    // What a fresh delivery sends from memory: the signed bytes, or its header block and a view of the
    // body received; null when only its header block is in hand (the body is in a spool file): that
    // delivery reads the row from the database, where the original is stored by then.
    const fresh: ({ body: Buffer | undefined } | null)[] = [];
    for (const l of letters) {
      const raw = await composed(l.mail);
      const files = l.mail instanceof Uint8Array ? l.files === true : carriesFiles(l.mail);
      // In memory, or still in its spool file (store/spooled-bytes.ts; compared a piece at a time: shared-body.ts).
      const original = l.message ? l.message.raw : null;
      const given = l.sharedBody && original && l.signed === true && l.mail instanceof Uint8Array ? l.sharedBody : null;
      if (given && original) {
        // A pool thread found the body the original's and handed back only the signed header block.
        signed.push({ letter: l, raw, files, shared: { head: raw.length, from: given.from, length: given.length } });
        fresh.push(inFile(original) ? null : { body: asBuffer(original).subarray(given.from, given.from + given.length) });
        continue;
      }
      const pooled = l.signed === true && l.mail instanceof Uint8Array;
      const bytes = pooled ? raw : await this.#sign(raw);
      // A body the original carries byte for byte is stored once, with the original (shared-body.ts).
      // Not one still in its spool file that a pool thread signed: that thread compared it already
      // when it could be shared (work-pool.ts mayShareBody), and here it would be read again on the
      // SMTP thread, synchronously (a 25 MB plain text whose masked copy kept its length: ~10 ms).
      const compared = pooled && original !== null && inFile(original);
      signed.push({ letter: l, raw: bytes, files, shared: original && !compared ? sharedBody(bytes, original) : null });
      fresh.push({ body: undefined });
    }
    const posted = await this.#write(signed, {
      batched: options.batched === true,
      now: options.now ?? Date.now(),
      alongside: options.alongside,
      alongsideTx: options.alongsideTx,
    });
    if (letters.length > 0)
      this.#wake(
        signed.flatMap((s, i) => {
          const f = fresh[i];
          return f ? [{ outboxId: posted.outboxIds[i] as number, envTo: s.letter.envTo, raw: s.raw, body: f.body }] : [];
        }),
      );
    return posted;
  }
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

async function composed(mail: OutgoingMail | Uint8Array): Promise<Buffer> {
  if (mail instanceof Uint8Array) return asBuffer(mail);
  return composeMail(mail);
}
