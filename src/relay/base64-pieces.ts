// Owns one change to libbase64's decoder as mailparser's MIME splitter (@zone-eu/mailsplit) uses
// it for every base64 part (attachments, and text sent as base64): a large chunk is decoded in
// pieces. The splitter hands a part's body over as one chunk (a whole 17 MB attachment when the
// message arrives as one Buffer); the decoder turns the chunk into one latin1 string, strips the
// line ends with a regex replace into a second, and decodes that: two strings the size of the part,
// each a fresh large object for V8 (~6 ms of CPU a MiB on a machine where fresh memory is dear,
// and what the collector then sweeps). Fed the same bytes in pieces of PIECE octets, the decoder
// keeps its own carry between them (the quartet not yet complete) and gives the same bytes: its
// strings stay small enough for the young generation. Equivalence is tested against whole chunks.
import { createRequire } from 'node:module';

/** Input octets per piece: the strings made from one (~64 K characters) stay regular heap objects (V8's large objects start at 128 KiB). */
export const PIECE = 64 * 1024;

type Transform = (this: unknown, chunk: Buffer, encoding: BufferEncoding, done: (error?: Error | null) => void) => void;

interface DecoderClass {
  prototype: { _transform?: Transform };
}

/** libbase64's Decoder as the splitter loads it, or null when it cannot be found (an update moved it). */
function splitterDecoder(): DecoderClass | null {
  try {
    const fromMailparser = createRequire(createRequire(import.meta.url).resolve('mailparser'));
    const fromSplitter = createRequire(fromMailparser.resolve('@zone-eu/mailsplit'));
    const decoder = (fromSplitter('libbase64') as { Decoder?: DecoderClass }).Decoder;
    return typeof decoder?.prototype?._transform === 'function' ? decoder : null;
  } catch {
    return null;
  }
}

const Decoder = splitterDecoder();
const whole = Decoder?.prototype._transform ?? null;

/** Whether the decoder was changed (false only if an update moved it: then it decodes whole chunks, and the test fails). */
export const replaced = whole !== null;

/** libbase64's own _transform, for the equivalence test. */
export const wholeTransform = whole;

/** The splitter's base64 decoder class (for the equivalence test). */
export const SplitterDecoder = Decoder as (DecoderClass & (new () => NodeJS.ReadWriteStream)) | null;

/** A decoder's pieces still to decode, waiting for its reader (set while its buffer is full). */
const WAITING = Symbol('waiting for the reader');
type Waiting = { [WAITING]?: (() => void) | null; readableLength: number; readableHighWaterMark: number };

if (Decoder && whole) {
  const ownRead = (Decoder.prototype as { _read?: (this: unknown, size: number) => void })._read;
  // A chunk's pieces are decoded while the decoder's reader keeps up: once what it has not read
  // reaches the stream's high-water mark, the rest waits for its next read (`_read`). The whole part
  // is then never decoded ahead of its reader (a 17 MB body's 12.6 MB of pieces at once, before),
  // and a reader that lets the pieces go (relay/parse-collect.ts, a part masking removes) holds a
  // few of them at a time. The parser writes the next chunk only once this one is done.
  Decoder.prototype._transform = function (chunk, encoding, done) {
    if (!Buffer.isBuffer(chunk) || chunk.length <= PIECE) return whole.call(this, chunk, encoding, done);
    const self = this as Waiting;
    let at = 0;
    const next = () => {
      // libbase64's _transform finishes each piece before it returns (it calls done synchronously).
      while (at < chunk.length) {
        let failed: Error | null | undefined = null;
        whole.call(this, chunk.subarray(at, at + PIECE), encoding, (error) => {
          failed = error;
        });
        at += PIECE;
        if (failed) return done(failed);
        if (at < chunk.length && self.readableLength >= self.readableHighWaterMark) {
          self[WAITING] = next;
          return;
        }
      }
      done();
    };
    next();
  };
  (Decoder.prototype as { _read?: (this: Waiting, size: number) => void })._read = function (size) {
    const waiting = this[WAITING];
    if (!waiting) return ownRead?.call(this, size);
    this[WAITING] = null;
    waiting();
  };
}
