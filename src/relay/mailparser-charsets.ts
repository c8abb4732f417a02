// Owns one change to mailparser (and libmime under it), for every parse in the process
// (relay/parse.ts): the charsets a text body and an encoded word are read in. libmime refuses
// UTF-7 (so that `+ADw-script+AD4-` cannot pass a filter as `<script>`) and does not know the EBCDIC
// code pages; it then reads the bytes as UTF-8, so `anna+AEA-shop.example` passed the masking as
// no address while Outlook and Thunderbird show `anna@shop.example`. Here what libmime does not read
// is read by core/masking/charsets.ts (TextDecoder, iconv-lite: UTF-7 among them; the decoded text
// is masked and sanitised, and re-encoded as UTF-8, so nothing is smuggled), and a body in a charset
// neither knows is not read at all: its text is left out and its label listed in the parse options'
// `unreadCharsets` (parse.ts turns it into ParsedMail.unreadCharsets, and the rewrite says so).
import { createRequire } from 'node:module';
import { Transform, type TransformCallback } from 'node:stream';
import libmime from 'libmime';
import { MailParser } from 'mailparser';
import { CACHED_LABEL, charsetStream, readCharset, type CharsetStream } from '../core/masking/charsets.js';
import { LruMap } from '../core/lru-map.js';
import { UNREAD, wordBytes } from '../core/masking/encoded-words.js';

/** The parse option through which a parse learns which text bodies were not read (their labels). */
export interface CharsetOptions {
  unreadCharsets?: string[];
}

/** A body's bytes read by charsets.ts, handed on as UTF-8 (what libmime's DecodeStream hands on). */
class CharsetRead extends Transform {
  readonly #read: CharsetStream;
  constructor(read: CharsetStream) {
    super();
    this.#read = read;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const text = this.#read.write(chunk);
    if (text) this.push(Buffer.from(text, 'utf8'));
    done();
  }
  override _flush(done: TransformCallback): void {
    const text = this.#read.end();
    if (text) this.push(Buffer.from(text, 'utf8'));
    done();
  }
}

/** A body in a charset not read here: its bytes are dropped, so no text of it reaches the masking or the reader. */
class NotRead extends Transform {
  override _transform(_chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    done();
  }
}

interface Decoder {
  decodeStream(charset: string): NodeJS.ReadWriteStream & { supported?: boolean };
}
interface ParserInternals {
  options: CharsetOptions;
  getDecoder(this: ParserInternals): Decoder;
}

const proto = (MailParser as unknown as { prototype?: Partial<ParserInternals> }).prototype;
const originalGetDecoder = typeof proto?.getDecoder === 'function' ? proto.getDecoder : null;

if (proto && originalGetDecoder) {
  proto.getDecoder = function (this: ParserInternals) {
    const own = originalGetDecoder.call(this);
    const options = this.options;
    return {
      decodeStream(charset: string) {
        const libmimes = own.decodeStream(charset);
        // libmime read it (supported), or mailparser was given its own Iconv: left as it was.
        if (libmimes.supported !== false) return libmimes;
        const read = charsetStream(charset);
        if (read) return new CharsetRead(read);
        options.unreadCharsets?.push(charset);
        return new NotRead();
      },
    };
  };
}

type DecodeWord = (this: unknown, charset: string, encoding: string, text: string) => string;
/** Labels of encoded words last read: a sender writes any label, so the least recently used go first. */
const wordReadByLibmime = new LruMap<string, boolean>(256);

/** Whether libmime reads encoded words in this charset (it reads them as UTF-8 when not): asked once a label while it is among the recent ones. */
function libmimeReads(charset: string): boolean {
  let r = wordReadByLibmime.get(charset);
  if (r === undefined) {
    r = (libmime.createDecodeStream(charset) as { supported?: boolean }).supported !== false;
    if (charset.length <= CACHED_LABEL) wordReadByLibmime.set(charset, r);
  }
  return r;
}

/**
 * libmime's decodeWord (one encoded word, RFC 2047, and an RFC 2231 parameter value, which libmime
 * decodes through it) with the charsets it does not read read by charsets.ts, and one neither knows
 * shown as U+FFFD. Both copies of libmime are changed: mailparser loads its ES module, mailsplit (the
 * file names) its CommonJS one.
 */
function changeDecodeWord(p: { decodeWord?: DecodeWord } | undefined): boolean {
  const original = p?.decodeWord;
  if (!p || typeof original !== 'function') return false;
  p.decodeWord = function (charset, encoding, text) {
    const cs = charset.split('*')[0] ?? charset;
    if (libmimeReads(cs)) return original.call(this, charset, encoding, text);
    return readCharset(wordBytes(encoding, text), cs) ?? UNREAD;
  };
  return true;
}

const esm = changeDecodeWord((libmime as unknown as { Libmime?: { prototype?: { decodeWord?: DecodeWord } } }).Libmime?.prototype);
const cjs = changeDecodeWord((createRequire(import.meta.url)('libmime') as { Libmime?: { prototype?: { decodeWord?: DecodeWord } } }).Libmime?.prototype);

/** Whether mailparser and both libmimes were changed (false only if an update moved their internals: the test fails). */
export const replaced = originalGetDecoder !== null && esm && cjs;
