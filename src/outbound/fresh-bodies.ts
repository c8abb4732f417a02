// Owns the signed bytes of outbox rows just committed, kept in memory for the delivery that
// follows them by milliseconds: the worker then sends the bytes it already has instead of reading
// back from the database what was written a moment ago (1.4 MB per 1 MiB message: ~0.8 ms of the
// SMTP thread's CPU and a 1.4 MB allocation, bench/commit-times.ts). Bounded by bytes (the oldest
// go first); a row not found here (a retry, a restart, another node's row, evicted) is read from
// the database as before. The bytes are the committed ones: a row is put here only after its
// transaction is durable.
import type { CommittedBody } from '../relay/outbox-entry.js';

/** The default bound: a handful of 1 MiB messages, hundreds of small ones. */
export const FRESH_BODY_BYTES = 8 * 1024 * 1024;

export class FreshBodies {
  /** Insertion order is age order (Map keeps it): the first entry is evicted first. */
  readonly #rows = new Map<number, CommittedBody>();
  readonly #max: number;
  #bytes = 0;

  /** maxBytes: the most this holds at once; 0 keeps nothing. */
  constructor(maxBytes = FRESH_BODY_BYTES) {
    this.#max = maxBytes;
  }

  /**
   * Keeps a committed row's bytes, evicting the oldest to stay within the bound; a row larger than
   * the bound is not kept. A row whose body is the original's (`body`, a view of the bytes
   * received) counts the whole buffer that view keeps alive.
   */
  put(body: CommittedBody): void {
    const size = held(body);
    if (size > this.#max) return;
    this.#remove(body.outboxId);
    for (const [id] of this.#rows) {
      if (this.#bytes + size <= this.#max) break;
      this.#remove(id);
    }
    this.#rows.set(body.outboxId, { ...body, raw: own(body.raw) });
    this.#bytes += size;
  }

  /**
   * The bytes of a claimed row, once (a later attempt reads the database), only while the row is
   * still the one they were kept for: the same recipient and size (an erasure deletes the stored
   * bytes and sets the row's size to 0, and rewrites the recipient of the buyer's own rows; what it
   * erased is never sent from here). The bytes come in the pieces to send one after another: the
   * header block and the original's body apart (never joined: a fresh 1 MiB buffer costs the SMTP
   * thread ~0.8 ms of CPU and its collection), or the whole signed copy.
   */
  take(row: { readonly id: number; readonly envTo: string; readonly size: number }): readonly Buffer[] | null {
    const body = this.#rows.get(row.id);
    if (!body) return null;
    this.#remove(row.id);
    if (body.envTo !== row.envTo || body.raw.byteLength + (body.body?.byteLength ?? 0) !== row.size) return null;
    return body.body ? [body.raw, body.body] : [body.raw];
  }

  /** Whether the bytes of row `id` are held (take may still refuse them: see take). */
  has(id: number): boolean {
    return this.#rows.has(id);
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  #remove(id: number): void {
    const body = this.#rows.get(id);
    if (!body) return;
    this.#rows.delete(id);
    this.#bytes -= held(body);
  }
}

/** Bytes a kept row is counted at: its own, and the buffer its shared body is a view of. */
function held(body: CommittedBody): number {
  return body.raw.byteLength + (body.body?.buffer.byteLength ?? 0);
}

/**
 * The bytes in a buffer of their own when they are a view of a larger one, so what is kept alive is
 * what is counted: a signed message under 4 KiB is cut from Node's 8 KiB buffer pool, and its
 * structured clone from a pool thread brings that whole buffer along (8 × the bound for 1 KiB
 * messages). Unpooled, or the copy would be cut from the pool again. A view at most 1/32 smaller
 * than its buffer is kept as it is: a message of 64 KiB or more that a pool thread signed in place
 * has up to 2 KiB unused in front of it (relay/work.ts composeInPlace), and copying it would cost
 * the SMTP thread a fresh buffer of its size to save those.
 */
function own(raw: Buffer): Buffer {
  if (raw.buffer.byteLength - raw.byteLength <= raw.byteLength / 32) return raw;
  const copy = Buffer.allocUnsafeSlow(raw.byteLength);
  raw.copy(copy);
  return copy;
}
