// Owns where a received message's bytes are while it is processed: in memory (a Uint8Array), or,
// for one larger than FILE_FROM that arrived into its spool file (smtp/spool.ts), still in that file,
// named by a SpooledFile, which every stage reads a piece at a time: the header block's first bytes
// (relay/stages/receive.ts), the pool thread's parse and DKIM check as a stream of 64 KiB reads
// (relay/work-thread.ts), the commit's original one stored piece at a time (store/body-pieces.ts).
// Before round 22 the SMTP thread read the whole file back into one buffer after the final dot and
// every stage read that: the memory tier's 17.2 MB a message, beside the pieces the commit bound
// (README "Speed", "Round 22: the memory tier"). A SpooledFile is plain data, so it crosses to a pool
// thread by structured clone as it is. The file is the listener's: it is removed only once the
// session is answered, after the commit (smtp/listener.ts), so every read here comes before that.
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { HEADER_LIMITS } from '../core/header-block.js';

/**
 * The spool file could not be read to its `byteLength` (gone, cut short, an I/O error): the
 * gateway's failure, not the message's, answered as a temporary one (451, the sender retries). A
 * parse that failed that way is not "could not be parsed as MIME" (554: the sender gives up).
 */
export class SpoolUnread extends Error {}

/** A received message still in its spool file: `byteLength` bytes from its start. */
export interface SpooledFile {
  readonly file: string;
  readonly byteLength: number;
}

/** A received message's bytes: in memory, or in its spool file. */
export type ReceivedBytes = Buffer | SpooledFile;

/**
 * A message in a spool file larger than this is processed from the file; up to it, it is read back
 * whole as before (one read, and a body a relay copy may share: relay/shared-body.ts). The same
 * size from which the original is stored in pieces (store/body-pieces.ts PIECED_FROM).
 */
export const FILE_FROM = 4 * 1024 * 1024;

/** How many bytes a stream over a spool file reads at a time (as mailauth and the MIME splitter take them). */
export const READ_PIECE = 64 * 1024;

/**
 * How much of a message in its spool file is read at most for its header block (headOf): the
 * block's byte limit (HEADER_LIMITS.bytes, 1 MiB: readHeaderBlock refuses a line that starts past
 * it, and it is mailparser's own limit for a MIME node's header) and one READ_PIECE more for a line
 * that starts before it and ends after. A block with no empty line within these bytes is refused as
 * too large (relay/stages/receive.ts, 552 5.3.4) without reading further: until round 23 the SMTP
 * thread read the whole file for it. Only a block whose last line starts before 1 MiB and runs on
 * past 1 MiB + 64 KiB was accepted by the header reading before, and mailparser refused it then.
 */
export const HEAD_LIMIT = HEADER_LIMITS.bytes + READ_PIECE;

export function inFile(bytes: Uint8Array | SpooledFile): bytes is SpooledFile {
  return typeof (bytes as Partial<SpooledFile>).file === 'string';
}

/**
 * `length` bytes of the file from byte `at` (fewer only at its end): a synchronous read, into a Buffer
 * of their own, or into the start of `into` (a view of it is returned) when given and large enough.
 */
export function readAt(f: SpooledFile, at: number, length: number, into: Buffer | null = null): Buffer {
  const want = Math.max(0, Math.min(length, f.byteLength - at));
  const out = into && into.length >= want ? into.subarray(0, want) : Buffer.allocUnsafeSlow(want);
  const fd = openSync(f.file, 'r');
  try {
    let got = 0;
    while (got < want) {
      const n = readSync(fd, out, got, want - got, at + got);
      if (n === 0) throw new SpoolUnread(`spool file ${f.file} ended at ${at + got} of ${f.byteLength} bytes`);
      got += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** The file's bytes in a Buffer over a SharedArrayBuffer (structured clones share it, never copy it): the whole message in memory. */
export async function readWhole(f: SpooledFile): Promise<Buffer> {
  const bytes = Buffer.from(new SharedArrayBuffer(f.byteLength));
  const handle = await open(f.file, 'r');
  try {
    let at = 0;
    while (at < f.byteLength) {
      const { bytesRead } = await handle.read(bytes, at, f.byteLength - at, at);
      if (bytesRead === 0) throw new SpoolUnread(`spool file ${f.file} ended at ${at} of ${f.byteLength} bytes`);
      at += bytesRead;
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

/** A spool file open for reading: node:fs/promises' FileHandle, or a stand-in (a test counts the bytes read). */
export interface SpoolHandle {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

/** How a spool file is opened for reading: node:fs/promises open by default. */
export type OpenSpool = (file: string) => Promise<SpoolHandle>;

const openSpool: OpenSpool = (file) => open(file, 'r');

/**
 * The file's bytes as a stream of READ_PIECE reads (its `byteLength` bytes, not what was appended
 * after). A file that cannot be opened or read, or ends before `byteLength`, fails the stream with
 * SpoolUnread: a reader never takes a shorter message for the whole. Destroying the stream closes
 * the file at once (readShared).
 */
export function readStream(f: SpooledFile, openFile: OpenSpool = openSpool): Readable {
  return readShared(f, 1, openFile)[0] as Readable;
}

/**
 * `readers` streams of the file's bytes from ONE read of it: each READ_PIECE piece is read once and
 * the same Buffer handed to every stream (readers only read it). The next piece is read only once
 * every stream still open has asked for more, so the slowest reader paces the read and no stream
 * holds more than its own READ_PIECE high-water mark: neither buffers the whole (the parse and the
 * DKIM check of relay/work.ts readSideBySide; before round 23 each read the file itself, two full
 * reads of a 17 MB message). A stream destroyed by its reader (done early, failed, timed out) stops
 * pacing the others; once every stream is destroyed or ended the file is closed at once, not when a
 * read would have reached its end. Errors as readStream, on every stream still open.
 */
export function readShared(f: SpooledFile, readers: number, openFile: OpenSpool = openSpool): Readable[] {
  const unread = (message: string) => new SpoolUnread(`spool file ${f.file}: ${message}`);
  const open = new Set<Readable>();
  const asking = new Set<Readable>();
  let handle: Promise<SpoolHandle> | null = null;
  let at = 0;
  let reading = false;
  let finished = false;
  const close = (): void => {
    if (finished) return;
    finished = true;
    // A read in flight finishes first (pump closes it then): a handle is never closed under a read.
    if (!reading && handle) void handle.then((h) => h.close()).catch(() => undefined);
  };
  const fail = (err: Error): void => {
    for (const s of [...open]) s.destroy(err);
    close();
  };
  const pump = async (): Promise<void> => {
    if (reading || finished || open.size === 0) return;
    for (const s of open) if (!asking.has(s)) return;
    reading = true;
    asking.clear();
    try {
      handle ??= openFile(f.file);
      const h = await handle;
      const piece = Buffer.allocUnsafe(Math.min(READ_PIECE, f.byteLength - at));
      let got = 0;
      while (got < piece.length && !finished) {
        const { bytesRead } = await h.read(piece, got, piece.length - got, at + got);
        if (bytesRead === 0) throw unread(`ended at ${at + got} of ${f.byteLength} bytes`);
        got += bytesRead;
      }
      at += got;
      reading = false;
      if (finished) return void h.close().catch(() => undefined);
      const last = at >= f.byteLength;
      for (const s of [...open]) {
        if (piece.length > 0) s.push(piece);
        if (last) s.push(null);
      }
      if (last) close();
    } catch (err) {
      reading = false;
      const e = err as Error;
      if (finished) return void handle?.then((h) => h.close()).catch(() => undefined);
      return fail(e instanceof SpoolUnread ? e : unread(e.message));
    }
    void pump();
  };
  return Array.from({ length: readers }, () => {
    const stream: Readable = new Readable({
      highWaterMark: READ_PIECE,
      read() {
        asking.add(stream);
        void pump();
      },
      destroy(err, done) {
        open.delete(stream);
        asking.delete(stream);
        if (open.size === 0) close();
        else void pump();
        done(err);
      },
    });
    open.add(stream);
    // An ended stream no longer paces the others (it ends only with the last piece, as they do).
    stream.once('end', () => open.delete(stream));
    return stream;
  });
}

/**
 * Bytes of short-lived reads (socket reads written to a spool file: smtp/spool.ts) after which this
 * thread's young generation is collected. Each read is a Buffer of its own
 * (malloc'd outside V8's heap), garbage once passed on; V8 frees it only at a collection, and a
 * scavenge comes only when its young generation fills with objects, which a stream of 64 KiB reads
 * barely does. A burst of large messages arriving at once (the memory tier: 20 × 17 MB) held 20–36 MB
 * of ArrayBuffers on the SMTP thread while it arrived, and malloc kept the pages after (round 22,
 * README "Round 22: the memory tier"). A scavenge of a young generation of dead objects costs ~0.04 ms
 * (what survives is what it costs); nothing is collected that was not garbage.
 */
export const SCAVENGE_EVERY_BYTES = 2 * 1024 * 1024;
let readSinceScavenge = 0;
let scavengeQueued = false;

/** Counts `bytes` of reads passed on; past SCAVENGE_EVERY_BYTES, one scavenge on this thread once the reads in hand have gone on. */
export function scavengeAfter(bytes: number): void {
  readSinceScavenge += bytes;
  if (readSinceScavenge < SCAVENGE_EVERY_BYTES || scavengeQueued) return;
  const gc = (globalThis as { gc?: (o?: { type: 'minor' | 'major' }) => void }).gc;
  if (!gc) return;
  readSinceScavenge = 0;
  scavengeQueued = true;
  setImmediate(() => {
    scavengeQueued = false;
    gc({ type: 'minor' });
  });
}

/**
 * The first bytes of `bytes` that hold its whole header block (core/header-block.ts readHeaderBlock
 * reads nothing past the first empty line): for a file, its first `headBytes`; when no empty line
 * ends within them, its first `upTo` bytes (one more read, on the SMTP thread); null when none ends
 * within those either (the caller refuses such a block: HEAD_LIMIT). Before
 * round 23 that last case read the whole file (a 20 MB message with a long header block: 20 MB on
 * the event loop at once). A file no longer than `upTo` is read whole, as before.
 */
export function headOf(bytes: Uint8Array | SpooledFile, headBytes: number, upTo: number): Uint8Array | null {
  if (!inFile(bytes)) return bytes;
  const head = readAt(bytes, 0, headBytes);
  if (head.length === bytes.byteLength || endsHeader(head)) return head;
  const more = readAt(bytes, 0, Math.max(upTo, headBytes));
  return more.length === bytes.byteLength || endsHeader(more) ? more : null;
}

/** Whether an empty line (LF LF, LF CR LF, or one at the very start) lies wholly within `head`. */
function endsHeader(head: Buffer): boolean {
  if (head[0] === 0x0a || (head[0] === 0x0d && head[1] === 0x0a)) return true;
  return head.indexOf('\n\n') >= 0 || head.indexOf('\n\r\n') >= 0;
}
