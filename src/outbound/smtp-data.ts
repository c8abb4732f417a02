// Owns the DATA encoding of a message on its way out (RFC 5321 §4.5.2): a dot at the start of a line
// is doubled, every bare CR and bare LF becomes CRLF (a lone CR read as a line end by the receiver
// would otherwise let "\r.\r" end the data early: SMTP smuggling, so a dot after a bare CR is doubled
// too), and the data ends with CRLF "." CRLF. The same bytes nodemailer's DataStream writes, found
// four bytes at a time instead of nodemailer's JavaScript loop over every byte (on a 1 MiB message
// that loop cost the delivering thread ~20 ms). Round 19's native searches for CR and LF (two
// Buffer.indexOf calls a line) cost ~1.9 ms a MiB of 80-byte lines in the gateway, nearly all of it
// the calls' own cost, not the search: 10 % of the SMTP thread's CPU in the 1 MiB tier (round 21).
import { Transform, type TransformCallback } from 'node:stream';

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const INSERT_LF = Buffer.from('\n');
const INSERT_LF_DOT = Buffer.from('\n.');
const INSERT_CR = Buffer.from('\r');
const INSERT_DOT = Buffer.from('.');

const BELOW_CR = 0x0e0e0e0e;
const HIGHS = 0x80808080 | 0;

/**
 * The CRs and LFs of a chunk, in order: the bytes before its first 4-byte boundary and after its last
 * one one by one, the rest a 32-bit word at a time, and only a word with a byte below 0x0e (CR, LF,
 * a tab or another control character) byte by byte: `(v - 0x0e0e0e0e) & ~v & 0x80808080` is not 0
 * exactly when some byte of v is below 0x0e (the bit trick for "has a byte less than n", exact for
 * n up to 128 as a yes or no: "hasless" in Sean Anderson's Bit Twiddling Hacks).
 */
class LineEnds {
  readonly #bytes: Uint8Array;
  /** The chunk's index of its first byte on a 4-byte boundary of the memory under it. */
  readonly #start: number;
  readonly #words: Int32Array;
  /** The chunk's index just past its last whole word. */
  readonly #wordsEnd: number;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    const start = (4 - (bytes.byteOffset & 3)) & 3;
    const count = start < bytes.length ? (bytes.length - start) >> 2 : 0;
    this.#start = Math.min(start, bytes.length);
    this.#words = count > 0 ? new Int32Array(bytes.buffer, bytes.byteOffset + start, count) : new Int32Array(0);
    this.#wordsEnd = this.#start + count * 4;
  }

  /** The index of the first CR or LF at or after `from`, or -1. */
  next(from: number): number {
    const bytes = this.#bytes;
    let at = from;
    // Byte by byte up to the next word boundary (or through a chunk too short for words).
    while (at < bytes.length && (at < this.#start || at >= this.#wordsEnd || ((at - this.#start) & 3) !== 0)) {
      const b = bytes[at] as number;
      if (b === CR || b === LF) return at;
      at++;
    }
    if (at >= bytes.length) return -1;
    const words = this.#words;
    for (let w = (at - this.#start) >> 2; w < words.length; w++) {
      const v = words[w] as number;
      if ((v - BELOW_CR) & ~v & HIGHS) {
        const first = this.#start + w * 4;
        for (let i = first; i < first + 4; i++) {
          const b = bytes[i] as number;
          if (b === CR || b === LF) return i;
        }
      }
    }
    for (let i = this.#wordsEnd; i < bytes.length; i++) {
      const b = bytes[i] as number;
      if (b === CR || b === LF) return i;
    }
    return -1;
  }
}

/**
 * One chunk of message bytes → the bytes to send. `last` is the last byte of the previous chunk
 * (null at the start of the message). Returns the chunk itself when nothing is inserted.
 */
export function encodeDataChunk(chunk: Buffer, last: number | null): Buffer {
  const pieces: Buffer[] = [];
  let from = 0;
  const insert = (at: number, bytes: Buffer) => {
    if (at > from) pieces.push(chunk.subarray(from, at));
    pieces.push(bytes);
    from = at;
  };
  const len = chunk.length;
  if (len === 0) return chunk;
  // The first byte, read against the previous chunk's last.
  const first = chunk[0] as number;
  if (last === CR && first !== LF) insert(0, first === DOT ? INSERT_LF_DOT : INSERT_LF);
  else if (first === DOT && (last === LF || last === null)) insert(0, INSERT_DOT);
  const ends = new LineEnds(chunk);
  for (let at = ends.next(0); at !== -1; at = ends.next(at + 1)) {
    if (chunk[at] === CR) {
      // A CR: bare unless an LF follows (a CR that ends the chunk is judged with the next chunk).
      const next = at + 1 < len ? (chunk[at + 1] as number) : null;
      if (next !== null && next !== LF) insert(at + 1, next === DOT ? INSERT_LF_DOT : INSERT_LF);
    } else {
      // An LF: bare unless a CR precedes it; a dot after it starts a line.
      const prev = at > 0 ? (chunk[at - 1] as number) : last;
      if (prev !== CR) insert(at, INSERT_CR);
      if (at + 1 < len && chunk[at + 1] === DOT) insert(at + 1, INSERT_DOT);
    }
  }
  if (pieces.length === 0) return chunk;
  if (from < len) pieces.push(chunk.subarray(from));
  return Buffer.concat(pieces);
}

/** The end of the data, after whatever the message's last byte was. */
export function dataEnd(last: number | null): Buffer {
  return Buffer.from(last === LF ? '.\r\n' : last === CR ? '\n.\r\n' : '\r\n.\r\n');
}

/** A stream of message bytes → SMTP DATA bytes, ending with the terminating dot line. */
export class SmtpDataStream extends Transform {
  /** Bytes in and out (nodemailer reports the latter as the message size). */
  inByteCount = 0;
  outByteCount = 0;
  /** Whether any byte of the message reached this stream (a send cut before it can be retried elsewhere). */
  started = false;
  #last: number | null = null;

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (bytes.length === 0) return done();
    this.started = true;
    this.inByteCount += bytes.length;
    const out = encodeDataChunk(bytes, this.#last);
    this.#last = bytes[bytes.length - 1] as number;
    this.outByteCount += out.length;
    this.push(out);
    done();
  }

  override _flush(done: TransformCallback): void {
    const end = dataEnd(this.#last);
    this.outByteCount += end.length;
    this.push(end);
    done();
  }
}
