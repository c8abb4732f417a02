// Owns reading bytes in a declared character set the way the reader's mail program reads them, and
// saying so when it cannot: text the gateway did not read never crosses (it is removed instead).
// WHATWG TextDecoder first (the labels browsers and Thunderbird share, `iso-8859-1` read as
// Windows-1252 as they read it), then iconv-lite for what the Encoding Standard dropped but mail
// programs still decode: UTF-7 (RFC 2152; Outlook and Thunderbird), UTF-32, and the DOS and Mac
// code pages; names written the ways mailers misspell them resolved as libmime resolves them
// (`win-1257`, `iso8859-8-i`). A label neither knows (the EBCDIC code pages IBM037/500/1047 that
// Outlook decodes, ISO-2022-KR, a made-up name) reads as null. iconv-lite and libmime are the
// parser's own dependencies (mailparser), so the body, its encoded words and an attached text part
// are all read by one table.
import iconv from 'iconv-lite';
import libmime from 'libmime';
import { cp1252 } from './ole-bytes.js';
import { concat } from './concat-bytes.js';
import { LruMap } from '../lru-map.js';

/**
 * Labels that are no character set: iconv-lite's transfer encodings (a mail program decodes a
 * `charset=base64` part as its default, not as base64).
 */
const NOT_A_CHARSET = /^(base64|hex)$/;

/** Labels that say no charset is known (RFC 1428 `unknown-8bit`, `x-unknown`): read as undeclared. */
const UNDECLARED = /^(unknown-8bit|x-unknown|unknown|)$/;

/** Byte strings for iconv-lite, which wants a Buffer (a view on the same memory, no copy). */
const bytesOf = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** A label as written (`"UTF-7"`, ` utf-7 `), lowercased without quotes and blanks. */
export function charsetKey(label: string): string {
  return label
    .trim()
    .replace(/^["']|["']$/g, '')
    .trim()
    .toLowerCase();
}

/**
 * How a label is written as a charset name (RFC 2978 §2.3 mime-charset, with the `.` and `:` of IANA
 * names such as `ANSI_X3.4-1968`), at most 40 characters: anything else is not repeated to a reader.
 */
const NAME_SHOWN = /^[a-z0-9][a-z0-9._:+-]{0,39}$/;

/**
 * A label as a note to the reader names it: `the character set "ibm037"`, or `a character set whose
 * label is no charset name` when the label is anything else (`charset="anna@shop.example"`), so
 * that no text of the received message reaches the copy through the note that says it was removed.
 */
export function charsetNamed(label: string): string {
  const key = charsetKey(label);
  return NAME_SHOWN.test(key) ? `the character set "${key}"` : 'a character set whose label is no charset name';
}

/** True when the label declares nothing (absent, empty, `unknown-8bit`): the bytes are read as they look. */
export function isUndeclared(label: string | null | undefined): boolean {
  return label === null || label === undefined || UNDECLARED.test(charsetKey(label));
}

/** Which decoder reads a label: TextDecoder's encoding name, iconv-lite's, or neither (null). */
type Reader = { readonly whatwg: string } | { readonly iconv: string };

/**
 * Readers of the labels last read: a sender writes any label it likes, so at most this many, the
 * least recently used going first; only labels a decoder knows are kept (one none knows is cheap to
 * try again, and a flood of made-up labels then never pushes out the real ones).
 */
const readers = new LruMap<string, Reader>(256);

/** The longest label held by a label cache (IANA's longest charset name has 45 characters). */
export const CACHED_LABEL = 64;

/** The names of UTF-16 without its byte order (a pattern's alternatives, lowercased). */
const UTF16_NAMES = 'utf-?16|ucs-?2|unicode|csunicode|iso-10646-ucs-2';

/**
 * UTF-16 named without its byte order: read by its byte-order mark, else by guessing from its zero
 * bytes (iconv-lite's `utf-16`, as mail programs do); TextDecoder would read it as UTF-16LE, a
 * big-endian text with its mark (as Java writes it) as junk.
 */
const UTF16_ANY_ORDER = new RegExp(`^(${UTF16_NAMES})$`);

/**
 * A label (charsetKey) that begins with the name of a Unicode encoding other than UTF-8: UTF-16 and
 * UTF-32 in either byte order or none, UCS-2/UCS-4, UTF-7. Such a text is read by its label
 * (readCharset), never by a byte-order mark sniffed first: `FF FE 00 00` opens UTF-32LE as well as
 * a UTF-16LE mark, and UTF-7 has no such mark.
 */
export const UNICODE_NOT_UTF8 = new RegExp(`^(${UTF16_NAMES}|utf-?32|ucs-?4|utf-?7)`);

function readerFor(key: string): Reader | null {
  if (NOT_A_CHARSET.test(key)) return null;
  if (UTF16_ANY_ORDER.test(key)) return { iconv: 'utf-16' };
  try {
    return { whatwg: new TextDecoder(key).encoding };
  } catch {
    // not a WHATWG label
  }
  if (iconv.encodingExists(key)) return { iconv: key };
  return null;
}

/** The reader for a label, its misspellings resolved as libmime resolves them; a known one cached (readers). */
function reader(label: string): Reader | null {
  const key = charsetKey(label);
  const known = readers.get(key);
  if (known !== undefined) return known;
  let found = readerFor(key);
  if (found === null) {
    const alias = charsetKey(libmime.normalizeCharset(key));
    if (alias !== key && !NOT_A_CHARSET.test(alias)) found = readerFor(alias);
  }
  // A label past any charset name's length (iconv-lite drops all but letters and digits, so a
  // 1 MiB `u-t-f-7------…` is UTF-7) is read but not held: 256 such would hold 256 MiB.
  if (found !== null && key.length <= CACHED_LABEL) readers.set(key, found);
  return found;
}

/** True when readCharset reads this label (a known charset), false for one it does not know. */
export function knowsCharset(label: string): boolean {
  return reader(label) !== null;
}

/**
 * `bytes` read in the character set `label` names (any case, quoted or not), or null when no
 * decoder here knows the label: the caller removes the text rather than pass it on unread. A
 * byte-order mark the charset defines (UTF-16, UTF-32, UTF-7's `+/v8`) is taken out.
 */
export function readCharset(bytes: Uint8Array, label: string): string | null {
  const r = reader(label);
  if (r === null) return null;
  if ('whatwg' in r) return r.whatwg === 'windows-1252' ? cp1252(bytes) : new TextDecoder(r.whatwg).decode(bytes);
  return iconv.decode(bytesOf(bytes), r.iconv);
}

/**
 * An incremental reader of one text's bytes (a body arriving in chunks): `write` each chunk, then
 * `end`. A chunk may be kept until `end` (a charset read whole): the caller does not change its
 * bytes after writing it (a stream's chunks, as mailparser's decoders push them, are never reused).
 */
export interface CharsetStream {
  write(bytes: Uint8Array): string;
  end(): string;
}

/**
 * readCharset in pieces: the same characters for the same bytes however they are cut (a character
 * split between two chunks waits for its rest; a charset only iconv-lite reads is read whole at
 * `end`), or null for a label readCharset does not know.
 */
export function charsetStream(label: string): CharsetStream | null {
  const r = reader(label);
  if (r === null) return null;
  // Node's TextDecoder reads `windows-1252` as Latin-1 (ole-bytes.ts cp1252); one byte a character.
  if ('whatwg' in r && r.whatwg === 'windows-1252') return { write: cp1252, end: () => '' };
  if ('whatwg' in r) {
    const d = new TextDecoder(r.whatwg);
    return { write: (b) => d.decode(b, { stream: true }), end: () => d.decode() };
  }
  // iconv-lite's own stream decoders lose characters cut between chunks (its UTF-7 decoder drops a
  // base64 shift cut at a byte: `anna+AEA-` in one-byte chunks reads `anna+`), so its charsets are
  // read whole at the end, as libmime reads the Japanese ones. The chunks are kept as given (see
  // CharsetStream) and copied once, into the whole.
  const chunks: Uint8Array[] = [];
  return {
    write: (b) => {
      chunks.push(b);
      return '';
    },
    end: () => {
      const all = chunks.length === 1 ? (chunks[0] as Uint8Array) : concat(chunks);
      chunks.length = 0;
      return iconv.decode(bytesOf(all), r.iconv);
    },
  };
}
