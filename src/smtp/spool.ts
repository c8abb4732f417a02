// Owns the intake spool: DATA is written to a file under `<dataDir>/spool/` as it arrives, so a
// message costs no memory while it is being received, however many arrive at once. A spool file
// holds nothing acknowledged (the 250 comes only after the database commit), so it is not fsync'd;
// it is removed once the session is answered, and every file left by a crash is removed at start.
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/** One received message on disk. `exceeded`: more than the limit arrived, and nothing was kept. */
export interface Spooled {
  readonly path: string;
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
   * Reads the stream to its end into a new spool file, keeping at most `limit` bytes. Past the
   * limit it keeps draining (the SMTP session needs the final dot) but writes nothing more and
   * removes the file. Backpressure from the disk pauses the stream, so memory stays at a few chunks.
   */
  receive(stream: Readable, limit: number): Promise<Spooled> {
    const path = join(this.#dir, `${Date.now()}-${randomBytes(8).toString('hex')}.eml`);
    const file = createWriteStream(path, { mode: 0o600 });
    let size = 0;
    let exceeded = false;
    const spooled = (): Spooled => ({
      path,
      size,
      exceeded,
      read: () => readShared(path, size),
      remove: () => removeFile(path),
    });
    return new Promise((resolve, reject) => {
      let failed: Error | null = null;
      const fail = (err: Error) => {
        if (failed) return;
        failed = err;
        stream.resume();
        file.destroy();
        void removeFile(path).finally(() => reject(err));
      };
      file.on('error', fail);
      stream.on('error', fail);
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (exceeded || failed) return;
        if (size > limit) {
          exceeded = true;
          return;
        }
        if (!file.write(chunk)) {
          stream.pause();
          file.once('drain', () => stream.resume());
        }
      });
      stream.once('end', () => {
        if (failed) return;
        file.end(() => {
          // Nothing of an oversized message is kept.
          if (exceeded) void removeFile(path).then(() => resolve(spooled()), reject);
          else resolve(spooled());
        });
      });
    });
  }
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
