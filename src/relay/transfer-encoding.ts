// Owns one decision: the Content-Transfer-Encoding of a text part we compose, from what it holds.
// 7bit when the text can travel as it is; quoted-printable when it is mostly ASCII; base64 when
// that is smaller (mostly non-ASCII text such as CJK) or when only base64 keeps it exactly.

import { MAX_LINE } from '../core/line-limit.js';
import { textScratch } from './scratch.js';

export type TextTransferEncoding = '7bit' | 'quoted-printable' | 'base64';

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const TAB = 0x09;

/** Whether a CR in `text` is not followed by an LF: such a CR is data, not a line end. */
function hasBareCr(text: string): boolean {
  for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) if (text.charCodeAt(i + 1) !== LF) return true;
  return false;
}

/**
 * Above this many characters a text that cannot go as 7bit goes as base64: nodemailer's
 * quoted-printable encoder costs ~40-60 ms of CPU a MiB (its line wrapping works on strings), base64
 * ~5 ms, more than the smaller size saves on signing, storing and sending.
 */
export const LARGE_TEXT = 128 * 1024;

/** sevenBitLines' answers for a text that cannot go as 7bit: it holds a bare CR (base64 then), or not. */
const BARE_CR = -1;
const NOT_SEVEN_BIT = -2;

/** Encoded bytes a line of quoted-printable takes before its soft line break (`=` and CRLF). */
const QP_LINE = 73;

/**
 * Approximate sizes of `text` (UTF-8) as quoted-printable and as base64, soft line breaks included:
 * enough to choose between them. One pass over the characters.
 */
function encodedSizes(text: string): { qp: number; base64: number } {
  let qp = 0;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      bytes += 1;
      qp += c === 0x3d || (c < SP && c !== TAB && c !== LF && c !== CR) || c === 0x7f ? 3 : 1;
    } else if (c < 0x800) {
      bytes += 2;
      qp += 6;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      // a surrogate pair: 4 bytes for both halves
      bytes += 4;
      qp += 12;
      i++;
    } else {
      bytes += 3;
      qp += 9;
    }
  }
  return { qp: Math.ceil((qp * (QP_LINE + 3)) / QP_LINE), base64: Math.ceil((Math.ceil(bytes / 3) * 4 * 78) / 76) };
}

/**
 * The Content-Transfer-Encoding for a text part holding `text` (a JS string: its line ends LF or
 * CRLF; the composed message gets CRLF everywhere):
 *  - '7bit': only tab and printable ASCII, no NUL or other control, no bare CR, every line at most
 *    998 octets (RFC 5322 §2.1.1) and none ending in a space or tab;
 *  - 'base64' when the text holds a bare CR (a quoted-printable text part carries a CR as it is, and
 *    the line-end repair would turn it into a line break; base64 keeps it exactly), when it is over
 *    LARGE_TEXT characters (CPU), or when base64 is smaller than quoted-printable (mostly non-ASCII
 *    text, e.g. CJK: 3 bytes a character);
 *  - 'quoted-printable' otherwise (mostly ASCII: accented prose, long lines, trailing blanks).
 */
export function textTransferEncoding(text: string): TextTransferEncoding {
  const lines = sevenBitLines(text);
  releaseBareLfs();
  return lines >= 0 ? '7bit' : notSevenBit(text, lines);
}

/** The encoding of a text sevenBitLines read as not 7bit (`reading` its answer): textTransferEncoding's rules after 7bit. */
function notSevenBit(text: string, reading: number): 'quoted-printable' | 'base64' {
  if (reading === BARE_CR || text.length > LARGE_TEXT) return 'base64';
  const { qp, base64 } = encodedSizes(text);
  return base64 < qp ? 'base64' : 'quoted-printable';
}

const copyWithin = Uint8Array.prototype.copyWithin;

/** The ASCII characters that stop a text going as 7bit: controls other than tab, LF and CR, and DEL. */
const CONTROLS = Array.from({ length: 32 }, (_, c) => c)
  .filter((c) => c !== TAB && c !== LF && c !== CR)
  .concat(0x7f)
  .map((c) => String.fromCharCode(c));

/** Where the bare LFs (not after a CR) of the text being read are, grown as needed; kept up to KEEP_BARE_LFS. */
const BARE_LFS = 1 << 14;
const KEEP_BARE_LFS = 1 << 18;
let bareLfs = new Int32Array(BARE_LFS);

/** Lets a grown bareLfs go once the text is written (a MiB of LF lines keeps 1 MiB; a 25 MB text would keep 100), and the text's bytes. */
function releaseBareLfs(): void {
  if (bareLfs.length > KEEP_BARE_LFS) bareLfs = new Int32Array(BARE_LFS);
  if (asciiRead) textScratch.giveBack(asciiRead);
  asciiRead = null;
}

const encoder = new TextEncoder();

/**
 * The bytes of the text sevenBitLines read last, when it is ASCII (one byte a character), for
 * withCrlf; from textScratch, given back by releaseBareLfs.
 */
let asciiRead: Buffer | null = null;

/**
 * Whether every character of `text` is ASCII, its bytes then left in asciiRead: written as UTF-8
 * into one byte a character, it takes all of them and is all of it (any other character takes two
 * bytes or more). One native pass (~0.05 ms a MiB) that also makes the bytes, where the UTF-8 length
 * and then a Latin-1 copy were two (~0.25).
 */
function readAscii(text: string): boolean {
  const bytes = text.length > textScratch.keep ? roomy(text.length) : textScratch.borrow(text.length);
  const { read, written } = encoder.encodeInto(text, bytes);
  if (read === text.length && written === text.length) {
    asciiRead = bytes;
    return true;
  }
  textScratch.giveBack(bytes);
  return false;
}

function noteBareLf(count: number, at: number): void {
  if (count === bareLfs.length) {
    const grown = new Int32Array(count * 2);
    grown.set(bareLfs);
    bareLfs = grown;
  }
  bareLfs[count] = at;
}

/**
 * The one reading of whether `text` can travel as it is (textTransferEncoding's '7bit'): only tab,
 * LF, CR and printable ASCII, no bare CR, every line (ended by LF or CRLF, as the parser and the
 * rewrite hand text on) at most MAX_LINE octets and none ending in a blank (a relay that strips
 * trailing blanks, or refolds a long line, would change the body under its DKIM signature,
 * c=…/simple). Returns how many of its LFs are bare (not after a CR), their places kept in bareLfs
 * for withCrlf; else BARE_CR when it holds a bare CR (looked for first, so the answer carries what
 * choosing between quoted-printable and base64 needs) and NOT_SEVEN_BIT otherwise. Native searches
 * only: indexOf for CR, one UTF-8 write for non-ASCII (readAscii, which keeps the bytes), indexOf for
 * each control character and for the line ends. Call releaseBareLfs after it.
 */
function sevenBitLines(text: string): number {
  const n = text.length;
  if (hasBareCr(text)) return BARE_CR;
  if (!readAscii(text)) return NOT_SEVEN_BIT;
  for (const c of CONTROLS) if (text.indexOf(c) !== -1) return NOT_SEVEN_BIT;
  let bare = 0;
  let start = 0;
  for (;;) {
    const lf = text.indexOf('\n', start);
    let end = lf === -1 ? n : lf;
    if (end > start && text.charCodeAt(end - 1) === CR) end--;
    else if (lf !== -1) noteBareLf(bare++, lf);
    if (end - start > MAX_LINE) return NOT_SEVEN_BIT;
    const last = end > start ? text.charCodeAt(end - 1) : -1;
    if (last === SP || last === TAB) return NOT_SEVEN_BIT;
    if (lf === -1) break;
    start = lf + 1;
  }
  return bare;
}

/** A text part's content and Content-Transfer-Encoding: 7bit parts as their CRLF bytes, the others as the text. */
export type TextPartContent =
  { readonly content: Buffer; readonly encoding: '7bit' } | { readonly content: string; readonly encoding: 'quoted-printable' | 'base64' };

/**
 * textTransferEncoding(text), from the same one reading of the text, with the content to hand the
 * composer: for '7bit' the text's bytes (ASCII: one a character) with every LF line end made
 * CRLF, in `borrow(size)` when given (a buffer the caller reuses), else in a new one; otherwise the
 * text itself. The bytes are one buffer of the final size: the text is written at its end, then
 * each line moved down to its place in front of its CRLF (a memmove per line), the LFs found once,
 * by the choice itself. A text that cannot go as 7bit is not read a second time to say so (only
 * encodedSizes reads it again, to choose quoted-printable or base64 up to LARGE_TEXT).
 */
export function textPartContent(text: string, borrow: (size: number) => Buffer = (size) => Buffer.allocUnsafe(size)): TextPartContent {
  const lines = sevenBitLines(text);
  try {
    return lines >= 0 ? { content: withCrlf(text, lines, borrow), encoding: '7bit' } : { content: text, encoding: notSevenBit(text, lines) };
  } finally {
    releaseBareLfs();
  }
}

/**
 * `size` bytes at the start of memory of twice that: room for a CR before every LF, should every
 * byte be one. For a text larger than textScratch keeps (made fresh for it either way): its CRLF
 * bytes are then made where it was read (withCrlf), not in a second buffer of its size. The room
 * past what is written is never touched (malloc maps memory this large afresh: untouched pages are
 * not resident).
 */
function roomy(size: number): Buffer {
  return Buffer.allocUnsafeSlow(2 * size).subarray(0, size);
}

/** The text's bytes with a CR before each of its `bare` LFs (at bareLfs[0, bare)). */
function withCrlf(text: string, bare: number, borrow: (size: number) => Buffer): Buffer {
  const read = asciiRead as Buffer;
  if (read.byteOffset === 0 && read.buffer.byteLength >= text.length + bare && text.length > textScratch.keep) return crlfInPlace(read, text.length, bare);
  const out = borrow(text.length + bare);
  // The text's bytes, as sevenBitLines' readAscii wrote them (ASCII: one a character).
  out.set(asciiRead as Buffer, bare);
  if (bare === 0) return out;
  // Line k's bytes sit `bare` octets after where they belong, less the CRs written before them:
  // always at or after their place, so each move goes down (copyWithin is a memmove).
  let at = 0;
  let from = bare;
  for (let k = 0; k < bare; k++) {
    const end = (bareLfs[k] as number) + bare;
    copyWithin.call(out, at, from, end);
    at += end - from;
    out[at++] = CR;
    out[at++] = LF;
    from = end + 1;
  }
  copyWithin.call(out, at, from);
  return out;
}

/**
 * The `n` bytes at the start of `read`'s memory with a CR before each of the `bare` LFs at
 * bareLfs[0, bare), made in that memory (it holds n + bare): from the last line back, each moved up
 * by the CRs that go before it (a memmove a line, as withCrlf's, upwards).
 */
function crlfInPlace(read: Buffer, n: number, bare: number): Buffer {
  const out = Buffer.from(read.buffer, 0, n + bare);
  let end = n; // the bytes still to place are [0, end)
  let to = n + bare; // and end where `to` is
  for (let k = bare - 1; k >= 0; k--) {
    const lf = bareLfs[k] as number;
    const len = end - (lf + 1);
    copyWithin.call(out, to - len, lf + 1, end);
    to -= len;
    out[--to] = LF;
    out[--to] = CR;
    end = lf;
  }
  return out;
}
