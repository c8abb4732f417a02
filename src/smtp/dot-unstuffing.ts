// Owns one change to how smtp-server reads DATA, for every SMTP session in the process: the same
// dot-unstuffing and end-of-data detection (RFC 5321 §4.5.2), without walking every byte in
// JavaScript and without copying every chunk. smtp-server's SMTPStream `_feedDataStream` joins the
// 4 bytes it held back from the last chunk to each new chunk with `Buffer.concat` (a whole copy of
// every chunk: a fresh MiB a MiB on the SMTP thread), scans the result byte by byte for a dot at the
// start of a line, and continues after each escape dot on a later turn of the event loop
// (setImmediate). Here the same positions are examined in the same order by a native search for
// "\n." over the chunk, and the held bytes are looked at in place and written to the data stream as a
// piece of their own; after an escape dot it goes on as smtp-server does. The data stream gets the same
// bytes (in more pieces: the held 4 bytes apart), the byte count and the remainder after the final
// dot are the same, and so is every decision at the start of DATA (smtp-server's protection against
// a terminator smuggled by TCP segmentation: `_atDataStart`); whenever that start state is live or
// the held bytes are shorter than 4, the chunk is joined to them as smtp-server does. A read under
// SMALL_READ bytes goes to smtp-server's own reader, which is cheaper there. dot-unstuffing.test.ts
// feeds hostile DATA cut at every offset through both, the cuts before reads on either side of SMALL_READ.
import type { PassThrough } from 'node:stream';
import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';

/** The fields of smtp-server's SMTPStream (dist/esm/smtp-stream.js, 3.21) that the data path reads and writes. */
interface DataStreamState {
  _dataStream: PassThrough | null;
  _lastBytes: Buffer | false;
  _atDataStart: boolean;
  _countDataBytes(len: number): void;
  _endDataMode(chunk: Buffer | false, remainder: Buffer, done: (err?: Error) => void): void;
  _feedDataStream(chunk: Buffer, done: (err?: Error) => void): void;
}

type Feed = DataStreamState['_feedDataStream'];

const DOT = 0x2e;
const CR = 0x0d;
const LF = 0x0a;
const LINE_START_DOT = Buffer.from('\n.');
/**
 * A read of fewer bytes goes to smtp-server's own `_feedDataStream`. On a small read the native
 * search's call and the held bytes' write of their own (a second piece through the data stream and
 * the spool per read) cost more than the copy they spare: in 20-byte reads (a client's choice: one
 * small TCP segment at a time) 2× smtp-server's CPU per message and 2.6× its memory while the spool
 * holds the pieces; from about 1 KiB on the replacement is cheaper (bench/dot-unstuffing.ts, CHUNK).
 */
export const SMALL_READ = 1024;

const proto = (SMTPStream as unknown as { prototype: Partial<DataStreamState> }).prototype;
const original: Feed | null =
  typeof proto._feedDataStream === 'function' && typeof proto._endDataMode === 'function' && typeof proto._countDataBytes === 'function'
    ? proto._feedDataStream
    : null;

/** smtp-server's own `_feedDataStream` (null if an update moved it): the equivalence test runs it beside the replacement. */
export const originalFeed = original;

/** Whether SMTPStream was changed (false only if an update moved it: then it reads DATA as before, and the test fails). */
export const replaced = original !== null;

/**
 * The replacement `_feedDataStream(chunk, done)`: `chunk` the bytes read in data mode, `done` called
 * once the data stream may take more (after 'drain' when it is full). Writes the unstuffed message to
 * `_dataStream`; at "\r\n.\r\n" ends data mode with what follows it (pipelined commands).
 */
function feed(this: DataStreamState, input: Buffer, done: (err?: Error) => void): void {
  if (input.length < SMALL_READ) return (original as Feed).call(this, input, done);
  const dataStream = this._dataStream as PassThrough;
  // The data, as smtp-server sees it, is head + chunk: head the 4 bytes held from the last chunk
  // (only in the steady state, see the header), else empty and chunk joined as smtp-server joins it.
  let chunk = input;
  const held = this._lastBytes;
  const hd = held && held.length === 4 && !this._atDataStart ? held : null;
  if (held && held.length) {
    if (!hd) chunk = Buffer.concat([held, chunk], held.length + chunk.length);
    this._lastBytes = false;
  }
  if (hd === null) {
    // smtp-server's checks at the start of DATA, unchanged (a lone "." first line is the end; "..",
    // its escape, is content from then on even if the rest arrives later).
    if (this._atDataStart && chunk.length >= 3 && chunk[0] === DOT && chunk[1] === CR && chunk[2] === LF) {
      this._endDataMode(false, chunk.subarray(3), done);
      return;
    }
    if (this._atDataStart && chunk.length >= 2 && chunk[0] === DOT && chunk[1] === DOT) {
      chunk = chunk.subarray(1);
      this._atDataStart = false;
    }
  }
  const h = hd === null ? 0 : 4;
  const len = h + chunk.length;
  /** The byte at position i of head + chunk (i < len). */
  const at = (i: number): number => (i < h ? (hd as Buffer)[i] : chunk[i - h]) as number;
  /** Writes positions [0, end) of head + chunk to the data stream; returns the last write's answer. */
  const emit = (end: number): boolean => {
    let handled = true;
    if (hd && end > 0 && dataStream.writable) handled = dataStream.write(end >= h ? hd : hd.subarray(0, end));
    if (end > h && dataStream.writable) handled = dataStream.write(chunk.subarray(0, end - h));
    return handled;
  };
  // smtp-server examines i = 2 … len - 3, in order, for a dot that starts a line. With a head, the
  // first three of them involve its bytes and are looked at one by one (chunk has SMALL_READ bytes or
  // more, so their look-ahead stays inside it); the rest are the native search's matches in chunk
  // ("\n." at m is the dot at i = m + 1 + h).
  let i = -1;
  let from = 0;
  if (hd) {
    for (let k = 2; k <= 4 && i < 0; k++) if (at(k) === DOT && at(k - 1) === LF && (isEnd(at, k) || at(k + 1) === DOT)) i = k;
  }
  while (i < 0) {
    const m = chunk.indexOf(LINE_START_DOT, from);
    if (m < 0 || m + 1 + h >= len - 2) break;
    const k = m + 1 + h;
    if (k >= 2 && (isEnd(at, k) || at(k + 1) === DOT)) i = k;
    from = m + 1;
  }
  if (i >= 0 && isEnd(at, i)) {
    // Everything before the terminator is message content, including the CRLF that ends the last line.
    this._countDataBytes(i);
    const last = i > h ? chunk.subarray(0, i - h) : (hd as Buffer).subarray(0, i);
    if (i > h && hd && dataStream.writable) dataStream.write(hd);
    this._endDataMode(last, chunk.subarray(i + 3 - h), done);
    return;
  }
  if (i >= 0) {
    // An escape dot: what precedes it is content, the rest (from the dot after it) is read on the
    // next turn of the event loop, as smtp-server reads it. Not at once: a pipelined message's end
    // found within the same turn would be reached inside the reader's `continue()` for the one
    // before, which then clears the continuation the new end just set, and the session stalls.
    this._lastBytes = false;
    this._countDataBytes(i);
    emit(i);
    const rest = i + 1 >= h ? chunk.subarray(i + 1 - h) : Buffer.concat([(hd as Buffer).subarray(i + 1), chunk]);
    setImmediate(() => this._feedDataStream(rest, done));
    return;
  }
  // No end and no escape: hold the last 4 bytes (fewer only when there are fewer), write the rest.
  const keep = Math.min(4, len);
  this._lastBytes = len - keep >= h ? chunk.subarray(chunk.length - keep) : Buffer.concat([(hd as Buffer).subarray(len - keep), chunk]);
  if (len - keep === 0) return done();
  this._countDataBytes(len - keep);
  if (!dataStream.writable) return done();
  const handled = emit(len - keep);
  if (!handled && !dataStream.destroyed) {
    // a stream that the application destroys never drains, it only closes
    const onDrain = () => {
      dataStream.removeListener('drain', onDrain);
      dataStream.removeListener('close', onDrain);
      done();
    };
    dataStream.once('drain', onDrain);
    dataStream.once('close', onDrain);
    return;
  }
  return done();
}

/** Whether positions i - 2 … i + 2 of the data read "\r\n.\r\n" (the dot at i starts a line). */
function isEnd(at: (i: number) => number, i: number): boolean {
  return at(i - 2) === CR && at(i - 1) === LF && at(i) === DOT && at(i + 1) === CR && at(i + 2) === LF;
}

if (original) proto._feedDataStream = feed;
