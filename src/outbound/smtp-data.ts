// Owns the DATA encoding of a message on its way out (RFC 5321 §4.5.2): a dot at the start of a line
// is doubled, every bare CR and bare LF becomes CRLF (a lone CR read as a line end by the receiver
// would otherwise let "\r.\r" end the data early: SMTP smuggling, so a dot after a bare CR is doubled
// too), and the data ends with CRLF "." CRLF. The same bytes nodemailer's DataStream writes, found
// with native searches for CR and LF instead of a JavaScript loop over every byte: on a 1 MiB message
// that loop cost the delivering thread ~20 ms; this costs a fraction of a millisecond.
import { Transform, type TransformCallback } from 'node:stream';

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const INSERT_LF = Buffer.from('\n');
const INSERT_LF_DOT = Buffer.from('\n.');
const INSERT_CR = Buffer.from('\r');
const INSERT_DOT = Buffer.from('.');

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
  let cr = chunk.indexOf(CR);
  let lf = chunk.indexOf(LF);
  while (cr !== -1 || lf !== -1) {
    if (lf === -1 || (cr !== -1 && cr < lf)) {
      // A CR: bare unless an LF follows (a CR that ends the chunk is judged with the next chunk).
      const next = cr + 1 < len ? (chunk[cr + 1] as number) : null;
      if (next !== null && next !== LF) insert(cr + 1, next === DOT ? INSERT_LF_DOT : INSERT_LF);
      cr = chunk.indexOf(CR, cr + 1);
    } else {
      // An LF: bare unless a CR precedes it; a dot after it starts a line.
      const prev = lf > 0 ? (chunk[lf - 1] as number) : last;
      if (prev !== CR) insert(lf, INSERT_CR);
      if (lf + 1 < len && chunk[lf + 1] === DOT) insert(lf + 1, INSERT_DOT);
      lf = chunk.indexOf(LF, lf + 1);
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
