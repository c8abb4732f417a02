// Owns the intake spool: DATA past its first SPOOL_FROM_BYTES is written to a file under
// `<dataDir>/spool/` as it arrives, so a large message costs no memory while it is being received,
// however many arrive at once; a message no larger stays in memory (at most SPOOL_FROM_BYTES per
// session), which spares the file's open, write, close, open, read, close and unlink: ~12 % of the
// SMTP thread at 10 KiB in a CPU profile (README "Speed"). A spool file holds nothing acknowledged
// (the 250 comes only after the database commit), so it is not fsync'd; it is removed once the
// session is answered, and every file left by a crash is removed at start.
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, rmSync, type WriteStream } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/** A message up to this many bytes is kept in memory while it arrives; a larger one goes to a spool file. */
export const SPOOL_FROM_BYTES = 128 * 1024;

/** One received message, in memory or on disk. `exceeded`: more than the limit arrived, and nothing was kept. */
export interface Spooled {
  /** The spool file; null when the message stayed in memory (or nothing was kept). */
  readonly path: string | null;
  readonly size: number;
  readonly exceeded: boolean;
  /**
   * The bytes, read back in one piece into shared memory (a SharedArrayBuffer), so the worker
   * threads that authenticate and parse them see the same bytes without a copy. size bytes of
   * memory: take them under the byte budget.
   */
  read(): Promise<Buffer>;
  /** Removes the file; safe to call twice. */
  remove(): Promise<void>;
}

export class Spool {
  readonly #dir: string;

  constructor(dataDir: string) {
    this.#dir = join(dataDir, 'spool');
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
  }

  get dir(): string {
    return this.#dir;
  }

  /** Removes every file a previous run left behind (a crash mid-DATA); call once at start. Returns how many. */
  clean(): number {
    const names = readdirSync(this.#dir);
    for (const name of names) rmSync(join(this.#dir, name), { force: true, recursive: true });
    return names.length;
  }

  /**
   * Reads the stream to its end, keeping at most `limit` bytes: in memory while they are at most
   * SPOOL_FROM_BYTES, else in a new spool file (the bytes so far written first). Past the limit it
   * keeps draining (the SMTP session needs the final dot) but keeps nothing more and removes the
   * file. Backpressure from the disk pauses the stream, so memory stays at a few chunks.
   */
  receive(stream: Readable, limit: number): Promise<Spooled> {
    let path: string | null = null;
    let file: WriteStream | null = null;
    let chunks: Buffer[] = [];
    let size = 0;
    let exceeded = false;
    const spooled = (): Spooled => {
      const at = path;
      if (at === null) {
        const held = exceeded ? [] : chunks;
        chunks = [];
        return { path: null, size, exceeded, read: () => Promise.resolve(sharedCopy(held, size)), remove: () => Promise.resolve() };
      }
      return { path: at, size, exceeded, read: () => readShared(at, size), remove: () => removeFile(at) };
    };
    return new Promise((resolve, reject) => {
      let failed: Error | null = null;
      const fail = (err: Error) => {
        if (failed) return;
        failed = err;
        stream.resume();
        chunks = [];
        if (!file || path === null) return reject(err);
        file.destroy();
        void removeFile(path).finally(() => reject(err));
      };
      /** Writes to the file, pausing the stream while the disk catches up. */
      const write = (chunk: Buffer) => {
        if (!(file as WriteStream).write(chunk)) {
          stream.pause();
          (file as WriteStream).once('drain', () => stream.resume());
        }
      };
      stream.on('error', fail);
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (exceeded || failed) return;
        if (size > limit) {
          exceeded = true;
          chunks = [];
          return;
        }
        if (!file && size <= SPOOL_FROM_BYTES) {
          chunks.push(chunk);
          return;
        }
        if (!file) {
          path = join(this.#dir, `${Date.now()}-${randomBytes(8).toString('hex')}.eml`);
          file = createWriteStream(path, { mode: 0o600 });
          file.on('error', fail);
          for (const earlier of chunks) write(earlier);
          chunks = [];
        }
        write(chunk);
      });
      stream.once('end', () => {
        if (failed) return;
        if (!file || path === null) return resolve(spooled());
        const at = path;
        file.end(() => {
          // Nothing of an oversized message is kept.
          if (exceeded) void removeFile(at).then(() => resolve(spooled()), reject);
          else resolve(spooled());
        });
      });
    });
  }
}

/** The chunks, `size` bytes in all, copied once into a Buffer over a SharedArrayBuffer (as readShared gives them). */
function sharedCopy(chunks: readonly Buffer[], size: number): Buffer {
  const bytes = Buffer.from(new SharedArrayBuffer(size));
  let at = 0;
  for (const c of chunks) {
    c.copy(bytes, at);
    at += c.length;
  }
  return bytes;
}

/** unlink, where a file already gone is no error (fs.rm with force costs an lstat more on every message). */
async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** The file's `size` bytes in a Buffer over a SharedArrayBuffer (structured clones share it, never copy it). */
async function readShared(path: string, size: number): Promise<Buffer> {
  const bytes = Buffer.from(new SharedArrayBuffer(size));
  const handle = await open(path, 'r');
  try {
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(bytes, at, size - at, at);
      if (bytesRead === 0) throw new Error(`spool file ${path} ended at ${at} of ${size} bytes`);
      at += bytesRead;
    }
    return bytes;
  } finally {
    await handle.close();
  }
}
