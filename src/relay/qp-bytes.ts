// Owns one change to libqp's decoder as mailparser's MIME splitter (@zone-eu/mailsplit) uses it
// for every quoted-printable part (most text written by mail clients with non-ASCII characters):
// the part is decoded over its bytes instead of over strings. libqp collects the part as latin1
// strings, joins them, strips blanks before line ends and soft line breaks with two regex
// replaces (two more strings the size of the part: fresh large objects for V8) and decodes with a
// charCodeAt loop into a zeroed Buffer of the part's size (~30 ms for 1.6 MB of UTF-8 text in
// quoted-printable, ~1300 page faults). Here the same three steps run over the bytes (native
// searches for the blanks before a line end, which encoders do not leave, and for `=`; the spans
// between them copied natively) into fresh 64 KiB pieces (malloc'd from memory the thread has
// freed before, not fresh pages). Same bytes as libqp's decode() for any input: qp-bytes.test.ts.
import { createRequire } from 'node:module';
import { Scratch } from './scratch.js';

const SP = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const EQ = 0x3d;
/** The decoded bytes are handed on in fresh pieces of this many bytes (the last one shorter). */
export const PIECE = 64 * 1024;
/** Blanks right before a line end: what libqp strips (`[ \t]+` before CR, LF or the end). */
const BLANK_ENDS = ['\x20\r', '\x20\n', '\t\r', '\t\n'].map((s) => Buffer.from(s, 'latin1'));

/** The value of a hex digit (either case, as libqp reads them), or -1. */
function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/**
 * Writes bytes into fresh pieces of PIECE bytes, each handed to `emit` when full; no piece larger
 * than the bytes still to come can be (`bound`: the decoded bytes are never more than the input's),
 * so a part of a few bytes takes a few bytes, not a 64 KiB piece (a message of 1000 tiny
 * quoted-printable parts would otherwise make 64 MiB of pieces).
 */
class Pieces {
  #bound: number;
  #piece: Buffer;
  #at = 0;
  constructor(
    private readonly emit: (piece: Buffer) => void,
    bound: number,
  ) {
    this.#bound = bound;
    this.#piece = Buffer.allocUnsafeSlow(Math.min(PIECE, bound));
  }

  span(from: Buffer, start: number, end: number): void {
    while (start < end) {
      const n = from.copy(this.#piece, this.#at, start, Math.min(end, start + this.#piece.length - this.#at));
      start += n;
      this.#at += n;
      if (this.#at === this.#piece.length) this.#next();
    }
  }

  byte(b: number): void {
    this.#piece[this.#at++] = b;
    if (this.#at === this.#piece.length) this.#next();
  }

  end(): void {
    if (this.#at > 0) this.emit(this.#at === this.#piece.length ? this.#piece : this.#piece.subarray(0, this.#at));
  }

  #next(): void {
    this.emit(this.#piece);
    this.#bound -= this.#piece.length;
    this.#piece = Buffer.allocUnsafeSlow(Math.min(PIECE, this.#bound));
    this.#at = 0;
  }
}

/**
 * Step 1 of libqp's decode: every run of SP/HTAB right before a CR, an LF or the end removed
 * (`replace(/(^|[^ \t])[ \t]+(?=[\n\r\u2028\u2029]|$)/g, '$1')` on a latin1 string, where U+2028
 * and U+2029 cannot occur). Returns the length; `bytes` is compacted in place.
 */
function stripBlankEnds(bytes: Buffer, length: number): number {
  const next = BLANK_ENDS.map((n) => bytes.indexOf(n));
  let write = 0;
  let read = 0;
  for (;;) {
    let q = -1;
    for (const at of next) if (at !== -1 && (q === -1 || at < q)) q = at;
    // the run of blanks that ends right before the line end at q + 1, or at the very end
    const stop = q === -1 ? length : q + 1;
    let start = stop;
    while (start > read && (bytes[start - 1] === SP || bytes[start - 1] === TAB)) start--;
    if (write !== read) bytes.copyWithin(write, read, start);
    write += start - read;
    read = stop;
    if (q === -1) return write;
    for (let k = 0; k < next.length; k++) if (next[k] !== -1 && (next[k] as number) < stop) next[k] = bytes.indexOf(BLANK_ENDS[k] as Buffer, stop);
  }
}

/** The length of the soft line break at `j` (`=` then CRLF, LF or the end), or 0. */
function softBreak(bytes: Buffer, j: number, length: number): number {
  if (bytes[j] !== EQ) return 0;
  if (j + 1 === length) return 1;
  if (bytes[j + 1] === LF) return 2;
  if (bytes[j + 1] === CR && j + 2 < length && bytes[j + 2] === LF) return 3;
  return 0;
}

/** The first index at or after `j` that is not inside a soft line break (`length` if none). */
function skipSoft(bytes: Buffer, j: number, length: number): number {
  for (let n = j < length ? softBreak(bytes, j, length) : 0; n; n = j < length ? softBreak(bytes, j, length) : 0) j += n;
  return j;
}

/**
 * libqp's decode(bytes[0, length)), the same bytes, written to `out`: blanks before line ends
 * stripped (`bytes` is changed), soft line breaks removed, `=XX` decoded where two hex digits follow
 * once the soft breaks are out, every other byte as it is.
 */
function decodeInto(bytes: Buffer, length: number, out: Pieces): void {
  const m = stripBlankEnds(bytes, length);
  let from = 0;
  for (let e = bytes.indexOf(EQ, 0); e !== -1 && e < m; e = bytes.indexOf(EQ, from)) {
    out.span(bytes, from, e);
    const soft = softBreak(bytes, e, m);
    if (soft) {
      from = e + soft;
      continue;
    }
    // the two characters after `=` once soft breaks are removed
    const j1 = skipSoft(bytes, e + 1, m);
    const j2 = j1 < m ? skipSoft(bytes, j1 + 1, m) : m;
    const hi = j2 < m ? hexValue(bytes[j1]) : -1;
    const lo = hi >= 0 ? hexValue(bytes[j2]) : -1;
    if (lo >= 0) {
      out.byte(hi * 16 + lo);
      from = j2 + 1;
    } else {
      out.byte(EQ);
      from = e + 1;
    }
  }
  out.span(bytes, from, m);
}

/** The joined input of a part, reused on this thread (scratch.ts): parts up to 4 MiB. */
const scratch = new Scratch(4 * 1024 * 1024);

/**
 * Input a decoder holds before it decodes what it has up to its last hard line break (round 23):
 * until then a part was joined whole at its end, its size twice for a moment (a 10 MB
 * quoted-printable attachment: 10 MB of pieces and a 10 MB join).
 */
export const QP_STEP = 1024 * 1024;

/**
 * Where `bytes[0, length)` may be cut so that decoding the two sides apart gives the bytes decoding
 * them joined gives: just after the last LF that ends a line, once blanks before line ends are
 * stripped, either
 * - a hard line break: not part of a soft line break (`=` then CRLF or LF); an escape's two digits
 *   may lie across soft breaks, never across a hard one, and blanks are stripped only before a line
 *   end, so nothing reads across such a cut; or
 * - a soft line break whose `=` follows two bytes that are none of `=`, CR, LF: no escape before it
 *   is still waiting for a digit (one waits only within two bytes of its `=`, or across soft breaks,
 *   which are made of `=`, CR and LF), so the break is removed the same on either side.
 * Without the second, a part wrapped only by soft breaks (one long paragraph, minified HTML: as
 * encoders write a text with no line end) was held whole, and searched again at every chunk.
 * With neither, within the line (see the last step). 0 when there is no such place at all (a part
 * made only of `=`, CR, LF and blanks).
 */
function stepCut(bytes: Buffer, length: number): number {
  for (let lf = bytes.lastIndexOf(LF, length - 1); lf > 0; lf = bytes.lastIndexOf(LF, lf - 1)) {
    let j = lf - 1;
    while (j >= 0 && (bytes[j] === SP || bytes[j] === TAB)) j--;
    if (j >= 0 && bytes[j] === CR) j--;
    while (j >= 0 && (bytes[j] === SP || bytes[j] === TAB)) j--;
    if (j < 0 || bytes[j] !== EQ) return lf + 1;
    if (j >= 2 && plain(bytes[j - 1]) && plain(bytes[j - 2])) return lf + 1;
  }
  // No line end to cut after (a part of one line of megabytes: nothing requires an encoder to
  // break it): cut within the line, after a byte that is none of `=`, CR, LF, SP, HTAB and follows
  // one that is none of `=`, CR, LF — no escape is then waiting for a digit (as above), no soft
  // break is split, and no blank left at the cut is stripped as if it ended the input.
  for (let c = length; c >= 2; c--) if (plain(bytes[c - 1]) && bytes[c - 1] !== SP && bytes[c - 1] !== TAB && plain(bytes[c - 2])) return c;
  return 0;
}

/** A byte no soft line break or escape is made of (`=`, CR, LF). */
function plain(b: number | undefined): boolean {
  return b !== EQ && b !== CR && b !== LF;
}

/**
 * libqp's decode() of the bytes of `chunks` joined, handed to `emit` in fresh pieces of at most
 * PIECE bytes. With `last` false (more input will come) only up to the last line break it may be cut
 * at (stepCut) is decoded, and the rest is returned (a copy) to go first next time; null when all
 * was decoded. Decoding a part so in steps gives the bytes decoding it whole gives (qp-bytes.test.ts).
 */
export function decodeQuotedPrintable(chunks: readonly Buffer[], emit: (piece: Buffer) => void, last = true): Buffer | null {
  let length = 0;
  for (const c of chunks) length += c.length;
  if (length === 0) return null;
  const bytes = scratch.borrow(length);
  try {
    let at = 0;
    for (const c of chunks) at += c.copy(bytes, at);
    const cut = last ? length : stepCut(bytes, length);
    const rest = cut < length ? Buffer.from(bytes.subarray(cut, length)) : null;
    if (cut > 0) {
      const out = new Pieces(emit, cut);
      // Its own view: decodeInto searches the whole buffer it is given.
      decodeInto(bytes.subarray(0, cut), cut, out);
      out.end();
    }
    return rest;
  } finally {
    scratch.giveBack(bytes);
  }
}

type Done = (error?: Error | null) => void;
interface QpDecoder {
  push(chunk: Buffer): boolean;
  _transform(this: QpDecoder, chunk: Buffer | string, encoding: BufferEncoding, done: Done): void;
  _flush(this: QpDecoder, done: Done): void;
  inputBytes: number;
  outputBytes: number;
  bytes?: Buffer[];
  /** The bytes in `bytes`. */
  held?: number;
  /** How many bytes held the next step waits for (QP_STEP, or twice what the last step could not cut). */
  stepAt?: number;
  emitted(this: QpDecoder, piece: Buffer): void;
}
interface DecoderClass {
  prototype: QpDecoder;
}

/** libqp's Decoder as the splitter loads it, or null when it cannot be found (an update moved it). */
function splitterDecoder(): { Decoder: DecoderClass; decode: (input: Buffer) => Buffer } | null {
  try {
    const fromMailparser = createRequire(createRequire(import.meta.url).resolve('mailparser'));
    const fromSplitter = createRequire(fromMailparser.resolve('@zone-eu/mailsplit'));
    const libqp = fromSplitter('libqp') as { Decoder?: DecoderClass; decode?: (input: Buffer) => Buffer };
    const proto = libqp.Decoder?.prototype;
    if (!libqp.Decoder || typeof libqp.decode !== 'function' || typeof proto?._transform !== 'function' || typeof proto._flush !== 'function') return null;
    return { Decoder: libqp.Decoder, decode: libqp.decode };
  } catch {
    return null;
  }
}

const found = splitterDecoder();
const own = found ? { transform: found.Decoder.prototype._transform, flush: found.Decoder.prototype._flush } : null;

/** Whether the decoder was changed (false only if an update moved it: then it decodes as before, and the test fails). */
export const replaced = own !== null;

/** libqp's own decode() and Decoder (for the equivalence test). */
export const libqp = found;

let library = false;

/** For the equivalence test and the bench: decode with libqp's own Decoder while `fn` runs. */
export async function withLibqp<T>(fn: () => Promise<T>): Promise<T> {
  library = true;
  try {
    return await fn();
  } finally {
    library = false;
  }
}

if (found && own) {
  const proto = found.Decoder.prototype;
  proto.emitted = function (piece) {
    this.outputBytes += piece.length;
    this.push(piece);
  };
  proto._transform = function (chunk, encoding, done) {
    // A decoder is libqp's or ours from its first chunk to its end.
    if (this.bytes === undefined && (library || this.inputBytes > 0)) return own.transform.call(this, chunk, encoding, done);
    if (!chunk || !chunk.length) return done();
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
    (this.bytes ??= []).push(bytes);
    this.inputBytes += bytes.length;
    this.held = (this.held ?? 0) + bytes.length;
    // Past QP_STEP held, what ends where it may be cut (stepCut) is decoded now, not joined with the
    // rest at the end. What could not be cut (a part with no line end) is tried again only once the
    // bytes held have doubled: joined and searched again at every chunk, a 16 MB part of one line
    // took seconds (the joins' sum grows with the square of the part).
    if (this.held >= (this.stepAt ?? QP_STEP)) {
      const rest = decodeQuotedPrintable(this.bytes, (piece) => this.emitted(piece), false);
      this.bytes = rest ? [rest] : [];
      this.held = rest?.length ?? 0;
      this.stepAt = Math.max(QP_STEP, 2 * this.held);
    }
    done();
  };
  proto._flush = function (done) {
    if (this.bytes === undefined) return own.flush.call(this, done);
    const chunks = this.bytes;
    this.bytes = [];
    this.held = 0;
    this.stepAt = QP_STEP;
    decodeQuotedPrintable(chunks, (piece) => this.emitted(piece));
    done();
  };
}
