// Owns the intake spool: where DATA goes while it arrives. Its first SPOOL_FROM_BYTES stay in memory
// (at most that per session, uncounted); past them a message stays in memory only while the
// gateway's byte budget (relay/byte-budget.ts, `smtp.inFlightBytes`) has room for processing all of
// it (8 × its size, taken as it arrives), so the budget, not this file, bounds the memory of
// messages being received too, and only a message that can be processed at once stays in memory.
// Otherwise it goes to a file under `<dataDir>/spool/` as it arrives; and one held in memory gives
// its room back (to a file from then on) whenever a complete message or a delivery would wait for
// the budget, so a client that stops before its final dot keeps no one else waiting. Memory spares the file's
// open, write, close, open, read, close and unlink: ~12 % of the SMTP thread at 10 KiB in a CPU
// profile, ~4 ms of CPU per 1 MiB message (bench/spool-times.ts; README "Speed"). A spool file holds
// nothing acknowledged (the 250 comes only after the database commit), so it is not fsync'd; it is
// removed once the session is answered, and every file left by a crash is removed at start.
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, rmSync, type WriteStream } from 'node:fs';
import { open, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { MEMORY_PER_BYTE, type ByteBudget, type Release } from '../relay/byte-budget.js';

/** A message up to this many bytes is kept in memory while it arrives, whatever the byte budget holds. */
export const SPOOL_FROM_BYTES = 128 * 1024;

/**
 * DATA is copied, as it arrives, into pieces of this many bytes taken from the spool's PiecePool and
 * given back to it once written to the file or read (a piece filled by many reads, so tiny TCP segments
 * cost no more than their bytes). The reads themselves (a buffer of up to 64 KiB each, allocated by
 * the socket) then die within the turn that brought them, where V8's next scavenge frees them: kept
 * until their file write completed or their message was read, most lived long enough to be promoted,
 * and only a full collection gave them back (round 22: ~30–38 MB of the 1 MiB tier's peak were such
 * reads, heaptrack).
 */
export const PIECE_BYTES = 64 * 1024;

/** At most this many bytes of pieces wait in the pool for reuse; more given back are let go (to the garbage collector). */
export const POOL_KEEPS_BYTES = 16 * 1024 * 1024;

/** The pool lets go of every piece it keeps once none was taken for this long (at rest it holds nothing). */
export const POOL_IDLE_MS = 10_000;

/**
 * Pieces of PIECE_BYTES, reused: given back explicitly, never left to the garbage collector while the
 * pool has room for them (POOL_KEEPS_BYTES), and all let go after POOL_IDLE_MS without a take.
 */
export class PiecePool {
  #free: Buffer[] = [];
  #takenSince = false;
  #watching = false;

  constructor(
    readonly keepsBytes = POOL_KEEPS_BYTES,
    readonly idleMs = POOL_IDLE_MS,
  ) {}

  take(): Buffer {
    this.#takenSince = true;
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(PIECE_BYTES);
  }

  give(piece: Buffer): void {
    if ((this.#free.length + 1) * PIECE_BYTES > this.keepsBytes) return;
    this.#free.push(piece);
    if (!this.#watching) this.#watch();
  }

  /** Pieces waiting for reuse, in bytes. */
  get freeBytes(): number {
    return this.#free.length * PIECE_BYTES;
  }

  #watch(): void {
    this.#watching = true;
    this.#takenSince = false;
    const timer = setInterval(() => {
      if (this.#takenSince) {
        this.#takenSince = false;
        return;
      }
      this.#free = [];
      clearInterval(timer);
      this.#watching = false;
    }, this.idleMs);
    timer.unref();
  }
}

/** The byte budget (relay/byte-budget.ts) a message held in memory past SPOOL_FROM_BYTES is counted under. */
export type IntakeBudget = Pick<ByteBudget, 'tryAcquire' | 'acquire' | 'reclaimable'>;

/** One received message, in memory or on disk. `exceeded`: more than the limit arrived, and nothing was kept. */
export interface Spooled {
  /** The spool file; null while the message is in memory (or nothing was kept). */
  readonly path: string | null;
  readonly size: number;
  readonly exceeded: boolean;
  /**
   * Takes `cost` bytes of the budget for processing the message, waiting at most `waitMs` for them
   * (ByteBudget.acquire; null when they did not come). A message held in memory under the budget
   * gives back what it held first; when the cost then does not fit at once, its bytes are written to
   * a spool file before it waits, so a waiting message holds no memory the budget does not count.
   */
  admit(budget: IntakeBudget, cost: number, waitMs: number): Promise<Release | null>;
  /**
   * The bytes, in one piece in shared memory (a SharedArrayBuffer), so the worker threads that
   * authenticate and parse them see the same bytes without a copy. size bytes of memory: read them
   * after `admit`. The chunks held in memory are let go once copied.
   */
  read(): Promise<Buffer>;
  /** Removes the file and gives back what the message held of the budget; safe to call twice. */
  remove(): Promise<void>;
}

export class Spool {
  readonly #dir: string;
  /** The pieces every message's DATA is copied into (PIECE_BYTES each), reused from message to message. */
  readonly pieces: PiecePool;

  constructor(dataDir: string, pieces = new PiecePool()) {
    this.#dir = join(dataDir, 'spool');
    this.pieces = pieces;
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

  #newPath(): string {
    return join(this.#dir, `${Date.now()}-${randomBytes(8).toString('hex')}.eml`);
  }

  /**
   * Reads the stream to its end, keeping at most `limit` bytes: in memory while they are at most
   * SPOOL_FROM_BYTES, or while `budget` gives room for processing all of them (MEMORY_PER_BYTE per
   * byte, taken as they arrive, in doubling steps, never ahead of a message waiting for the
   * budget); else in a new spool file (the
   * bytes so far written first, and the budget they held given back). Past the limit it keeps
   * draining (the SMTP session needs the final dot) but keeps nothing more and removes the file.
   * Every read is copied into pieces from the pool (PIECE_BYTES), which go back to it once written
   * or read. Backpressure from the disk pauses the stream, so memory stays at a few pieces.
   */
  receive(stream: Readable, limit: number, budget: IntakeBudget | null = null): Promise<Spooled> {
    const pool = this.pieces;
    let path: string | null = null;
    let file: WriteStream | null = null;
    /** The pieces not handed on yet, in order: all full but the last, which holds `fill` bytes. */
    let pieces: Buffer[] = [];
    let fill = PIECE_BYTES;
    const keep = (chunk: Buffer) => {
      for (let at = 0; at < chunk.length;) {
        if (fill === PIECE_BYTES) {
          pieces.push(pool.take());
          fill = 0;
        }
        const n = chunk.copy(pieces[pieces.length - 1] as Buffer, fill, at);
        fill += n;
        at += n;
      }
    };
    /** The pieces with their bytes (the last one's view ends at `fill`), handed on: none are kept here any more. */
    const takePieces = (): Buffer[] => {
      const taken = pieces.map((p, i) => (i === pieces.length - 1 ? p.subarray(0, fill) : p));
      pieces = [];
      fill = PIECE_BYTES;
      return taken;
    };
    /** Gives every piece not handed on back to the pool. */
    const dropPieces = () => {
      for (const p of pieces) pool.give(p);
      pieces = [];
      fill = PIECE_BYTES;
    };
    let size = 0;
    let exceeded = false;
    /** What the pieces in memory hold of the budget (past SPOOL_FROM_BYTES), and how many bytes that covers. */
    let holds: Release[] = [];
    let heldBytes = 0;
    /** While it holds some of the budget: the budget may ask for it back (toFile), see ByteBudget.reclaimable. */
    let unregister: (() => void) | null = null;
    const letGo = () => {
      unregister?.();
      unregister = null;
      for (const r of holds) r();
      holds = [];
      heldBytes = 0;
    };
    /** Whether the `size` bytes so far may stay in memory: taking more of the budget when they outgrew what they hold. */
    const roomInMemory = (): boolean => {
      if (size <= SPOOL_FROM_BYTES) return true;
      if (!budget) return false;
      while (heldBytes < size) {
        const step = Math.max(size - heldBytes, heldBytes, SPOOL_FROM_BYTES);
        // At the cost of processing it (MEMORY_PER_BYTE), not of its bytes alone: only a message the
        // budget could process at once stays in memory, so a burst of sessions does not fill memory
        // with messages that then wait (and go to the spool after all).
        const release = budget.tryAcquire(step * MEMORY_PER_BYTE);
        if (!release) return false;
        holds.push(release);
        // A message still arriving must not keep a complete one (or a delivery) waiting: when one
        // would wait, this one goes to a file and gives its room back. Else a client that stops
        // before its final dot would hold 8 × what it sent until the session clocks cut it.
        unregister ??= budget.reclaimable(() => toFile());
        heldBytes += step;
      }
      return true;
    };
    let toFile: () => void = () => undefined;
    const spooled = (): Spooled => {
      const at = path;
      if (at === null) {
        if (exceeded) dropPieces();
        const held = takePieces();
        const heldBudget = holds;
        holds = [];
        unregister?.();
        unregister = null;
        return inMemory(held, size, exceeded, heldBudget, pool, () => this.#newPath());
      }
      return onDisk(at, size, exceeded);
    };
    return new Promise((resolve, reject) => {
      let failed: Error | null = null;
      const fail = (err: Error) => {
        if (failed) return;
        failed = err;
        stream.resume();
        dropPieces();
        letGo();
        if (!file || path === null) return reject(err);
        file.destroy();
        void removeFile(path).finally(() => reject(err));
      };
      let draining = false;
      /** Writes a piece (or the start of one) to the file, back to the pool once written, pausing the stream while the disk catches up (one wait for 'drain' at a time). */
      const write = (piece: Buffer) => {
        const whole = Buffer.from(piece.buffer, piece.byteOffset, PIECE_BYTES);
        if (!(file as WriteStream).write(piece, () => pool.give(whole)) && !draining) {
          draining = true;
          stream.pause();
          (file as WriteStream).once('drain', () => {
            draining = false;
            stream.resume();
          });
        }
      };
      /** Writes the full pieces (every piece with `all`, the last one as far as it is filled); a piece still filling stays here. */
      const writeFull = (all: boolean) => {
        const filling = !all && fill < PIECE_BYTES ? (pieces.pop() as Buffer) : null;
        for (const piece of filling ? pieces : takePieces()) write(piece);
        if (filling) pieces = [filling];
      };
      /** From now on to a spool file: the bytes so far written first, and the budget they held given back. */
      toFile = () => {
        letGo();
        if (file || failed || exceeded) return;
        path = this.#newPath();
        file = createWriteStream(path, { mode: 0o600 });
        file.on('error', fail);
        writeFull(false);
      };
      stream.on('error', fail);
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (exceeded || failed) return;
        if (size > limit) {
          exceeded = true;
          dropPieces();
          letGo();
          return;
        }
        keep(chunk);
        if (!file) {
          if (!roomInMemory()) toFile();
          return;
        }
        if (fill === PIECE_BYTES || pieces.length > 1) writeFull(false);
      });
      stream.once('end', () => {
        if (failed) return;
        if (!file || path === null) return resolve(spooled());
        writeFull(true);
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

/** A message whose bytes are in a spool file. */
function onDisk(path: string, size: number, exceeded: boolean): Spooled {
  return {
    path,
    size,
    exceeded,
    admit: (budget, cost, waitMs) => budget.acquire(cost, waitMs),
    read: () => readShared(path, size),
    remove: () => removeFile(path),
  };
}

/**
 * A message whose bytes are in memory, in `pieces` from `pool` (views, the last one shorter): `holds`
 * what they hold of the budget (none for one of at most SPOOL_FROM_BYTES); written to a file at
 * `newPath()` when admit has to wait. The pieces go back to the pool once read, written or removed.
 */
function inMemory(pieces: Buffer[], size: number, exceeded: boolean, holds: Release[], pool: PiecePool, newPath: () => string): Spooled {
  let held = pieces;
  let path: string | null = null;
  const letGo = () => {
    for (const r of holds) r();
    holds = [];
  };
  const giveBack = () => {
    for (const p of held) pool.give(Buffer.from(p.buffer, p.byteOffset, PIECE_BYTES));
    held = [];
  };
  return {
    get path() {
      return path;
    },
    size,
    exceeded,
    async admit(budget, cost, waitMs) {
      if (holds.length === 0) return budget.acquire(cost, waitMs);
      letGo();
      const now = budget.tryAcquire(cost);
      if (now) return now;
      // It waits: on disk, as if it had been spooled from the start.
      const at = newPath();
      path = at;
      await writeChunks(at, held);
      giveBack();
      return budget.acquire(cost, waitMs);
    },
    read() {
      if (path !== null) return readShared(path, size);
      const bytes = sharedCopy(held, size);
      giveBack();
      return Promise.resolve(bytes);
    },
    async remove() {
      letGo();
      giveBack();
      if (path !== null) await removeFile(path);
    },
  };
}

/** Writes the chunks to a new file at `path` (not fsync'd: it holds nothing acknowledged). */
function writeChunks(path: string, chunks: readonly Buffer[]): Promise<void> {
  return writeFile(path, chunks, { mode: 0o600, flag: 'wx' });
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
