// Owns one question: does the signed copy we deliver carry the original's body byte for byte? Then
// the outbox stores only the copy's header block and points at the original's body (store/outbox.ts),
// so a large plain text is written to the database once, not twice (issue 14, "store each large
// body once"). Plain text that masking left alone is the common case: the composer writes a
// single text part as 7bit with CRLF line ends (relay/compose.ts), which is what arrived.
import { HEAD_LIMIT, headOf, inFile, READ_PIECE, readAt, type SpooledFile } from '../store/spooled-bytes.js';

/** Bodies under this many bytes are stored twice as before: a few pages, not worth a reference. */
export const SHARED_BODY_FROM = 64 * 1024;

/** Where the delivered copy's body lies in the original: `head` bytes of the copy are its own, the rest is the original's from `from`. */
export interface SharedBody {
  /** The signed copy's header block with the empty line that ends it, in bytes. */
  readonly head: number;
  /** Where the original's body begins (after its empty line), in bytes. */
  readonly from: number;
  /** The body's length in bytes (the same in both). */
  readonly length: number;
}

const END_OF_HEADER = Buffer.from('\r\n\r\n');

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** The offset of the first byte after the header block's empty line (RFC 5322 §2.1), or -1. */
function bodyStart(b: Buffer): number {
  const at = b.indexOf(END_OF_HEADER);
  return at < 0 ? -1 : at + END_OF_HEADER.length;
}

/** How many bytes of an original still in its spool file are compared at a time (one reused buffer). */
const COMPARE_PIECE = 1024 * 1024;

/**
 * The signed copy's body as a stretch of the original, when the two bodies are the same bytes and
 * at least SHARED_BODY_FROM long; else null (stored whole, as before). One native compare of the
 * two bodies (~0.05 ms a MiB); for an original still in its spool file (a plain text past
 * FILE_FROM), a compare a COMPARE_PIECE read at a time, the file never read whole (before round 23
 * the SMTP thread read it whole for this: relay/pipeline.ts).
 */
export function sharedBody(signed: Uint8Array, original: Uint8Array | SpooledFile): SharedBody | null {
  const copy = asBuffer(signed);
  const length = copy.length - bodyStart(copy);
  if (length < SHARED_BODY_FROM || length > copy.length) return null;
  const head = copy.length - length;
  const start = inFile(original) ? headOf(original, READ_PIECE, HEAD_LIMIT) : original;
  const from = start ? bodyStart(asBuffer(start)) : -1;
  if (from < 0 || original.byteLength - from !== length) return null;
  return sameBody(copy, head, original, from, length) ? { head, from, length } : null;
}

/** Whether the copy's `length` bytes from `head` are the original's from `from`. */
function sameBody(copy: Buffer, head: number, original: Uint8Array | SpooledFile, from: number, length: number): boolean {
  if (!inFile(original)) return copy.compare(asBuffer(original), from, from + length, head, head + length) === 0;
  const into = Buffer.allocUnsafeSlow(Math.min(length, COMPARE_PIECE));
  for (let at = 0; at < length; at += into.length) {
    const piece = readAt(original, from + at, Math.min(into.length, length - at), into);
    if (copy.compare(piece, 0, piece.length, head + at, head + at + piece.length) !== 0) return false;
  }
  return true;
}
