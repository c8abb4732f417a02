// Owns reading RFC 2047 encoded words (`=?utf-7?Q?anna+AEA-shop.example?=`) as a reader's mail
// program reads them, in every charset it reads (charsets.ts), so that a header text the gateway
// writes holds no encoded word left for the reader's program to decode after the gateway judged it.
import { readCharset } from './charsets.js';
import { concat } from './concat-bytes.js';

/** One encoded word as mail programs find it: anywhere, not only between blanks (Thunderbird and Outlook are lenient). */
const WORD = /=\?([^?\s]{1,75})\?([BbQq])\?([^?]*)\?=/g;

/** A run of encoded words with only blanks between them (RFC 2047 §6.2: those blanks are not shown). */
const RUN = /=\?[^?\s]{1,75}\?[BbQq]\?[^?]*\?=(?:\s*=\?[^?\s]{1,75}\?[BbQq]\?[^?]*\?=)*/g;

/**
 * An encoded word as the most lenient reader finds one: libmime (mailparser) takes a charset of any
 * length (`=?utf-8*<80 letters>?B?…?=`, past RFC 2047's 75), blanks and brackets inside the text
 * (its base64 decoder skips them), and mail programs decode words inside a quoted display name.
 * Used only to remove what is left, so it may find more than WORD reads.
 */
const ANY_WORD = /=\?[^?]*\?[BbQq]\?[^?]*\?=/g;

/**
 * `s` with every encoded word left in it shown as U+FFFD: for header text after masking, which
 * can make one (`=?utf-8?B?<address in base64> x?y@other.example?=` is no word until the masking
 * removes `x?y@other.example`, whose `?` cut it; then `…[email removed]?=` is one, and the reader's
 * program decodes the address). Linear: each try from a `=?` ends at the second `?` after it.
 */
export function withoutEncodedWords(s: string): string {
  return s.includes('=?') ? s.replace(ANY_WORD, UNREAD) : s;
}

/** How many times a text is decoded again when decoding gave another encoded word (`=?utf-8?B?PT91dGYtNz9R…?=`). */
const MAX_ROUNDS = 8;

/** U+FFFD for a word no decoder here reads: the reader's program might (Outlook reads EBCDIC), so it does not cross. */
export const UNREAD = '\ufffd';

const hex = (c: number): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 55 : c >= 0x61 && c <= 0x66 ? c - 87 : -1);

/**
 * An encoded word's text as bytes: `Q` (RFC 2047 §4.2: `_` a space, `=XX` a byte) or `B` (base64,
 * several padded pieces each read on their own as libbase64 reads them). Characters outside Latin-1
 * (none belong there) become their low byte.
 */
export function wordBytes(encoding: string, text: string): Uint8Array {
  if (encoding === 'B' || encoding === 'b') {
    const pieces = text.replace(/\s+/g, '').split(/(?<==)(?=[^=])/);
    const parts = pieces.map((p) => Uint8Array.from(atobLenient(p), (c) => c.charCodeAt(0)));
    return concat(parts);
  }
  const s = text.replace(/=\s+([0-9a-fA-F])/g, '=$1');
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3d && i + 2 < s.length && hex(s.charCodeAt(i + 1)) >= 0 && hex(s.charCodeAt(i + 2)) >= 0) {
      out.push(hex(s.charCodeAt(i + 1)) * 16 + hex(s.charCodeAt(i + 2)));
      i += 2;
    } else out.push(c === 0x5f || c === 0x20 || c === 0x09 ? 0x20 : c & 0xff);
  }
  return Uint8Array.from(out);
}

/** Base64 as a mail program reads it: characters outside the alphabet dropped, a short end padded. */
function atobLenient(s: string): string {
  let clean = s.replace(/[^A-Za-z0-9+/]/g, '');
  if (clean.length % 4 === 1) clean = clean.slice(0, -1);
  while (clean.length % 4) clean += '=';
  return atob(clean);
}

/** The charset of an encoded word without its RFC 2231 language (`utf-8*de`). */
const charsetOf = (cs: string): string => cs.split('*')[0] ?? cs;

/** A run of words (blanks between them dropped), bytes of neighbours in one charset read together (a character split between words). */
function decodeRun(run: string): string {
  let out = '';
  let charset: string | null = null;
  let pending: Uint8Array[] = [];
  const flush = () => {
    if (charset === null) return;
    out += readCharset(concat(pending), charset) ?? UNREAD;
    pending = [];
  };
  for (const m of run.matchAll(WORD)) {
    const cs = charsetOf(m[1] as string).toLowerCase();
    if (cs !== charset) {
      flush();
      charset = cs;
    }
    pending.push(wordBytes(m[2] as string, m[3] as string));
  }
  flush();
  return out;
}

/**
 * `s` with every encoded word decoded, again while decoding made new ones (at most MAX_ROUNDS
 * times), a word in a charset not read here as U+FFFD, and none left after: what the gateway then
 * writes (re-encoded as UTF-8 where it is not ASCII) shows the reader what the gateway read.
 */
export function plainHeaderText(s: string): string {
  let t = s;
  for (let round = 0; round < MAX_ROUNDS && t.includes('=?'); round++) {
    const next = t.replace(RUN, decodeRun);
    if (next === t) break;
    t = next;
  }
  return withoutEncodedWords(t);
}
