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
import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { MEMORY_PER_BYTE, type ByteBudget, type Release } from '../relay/byte-budget.js';
import { FILE_FROM, readWhole, scavengeAfter, type ReceivedBytes } from '../store/spooled-bytes.js';

/** A message up to this many bytes is kept in memory while it arrives, whatever the byte budget holds. */
export const SPOOL_FROM_BYTES = 128 * 1024;

/**
 * A read smaller than this is copied into a shared piece of GATHER_PIECE bytes instead of being kept
 * as it came: a client that sends DATA in tiny TCP segments (its choice) would otherwise have every
 * read kept as a Buffer of its own, ~11 times its bytes in memory at 20-byte reads, past what the
 * byte budget counts (MEMORY_PER_BYTE) and within SPOOL_FROM_BYTES not counted at all.
 */
const GATHER_BELOW = 1024;
const GATHER_PIECE = 16 * 1024;

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
   * after `admit`. The chunks held in memory are let go once copied. A message in its spool file
   * larger than FILE_FROM is not read: its file is named instead (store/spooled-bytes.ts), which
   * every stage reads a piece at a time, until `remove`.
   */
  read(): Promise<ReceivedBytes>;
  /** Removes the file and gives back what the message held of the budget; safe to call twice. */
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
   * Backpressure from the disk pauses the stream, so memory stays at a few chunks.
   */
  receive(stream: Readable, limit: number, budget: IntakeBudget | null = null): Promise<Spooled> {
    let path: string | null = null;
    let file: WriteStream | null = null;
    let chunks: Buffer[] = [];
    /**
     * The piece small reads are gathered in (GATHER_BELOW): bytes [0, pieceAt) are taken, and
     * chunks[pieceIndex] is the view of the ones gathered since the last large read (-1: none yet).
     * A large read between small ones (the DATA reader writes the 4 bytes it held back as a piece
     * of their own before each read) does not start a new piece: the next small read opens a new
     * view of the same one.
     */
    let piece: Buffer | null = null;
    let pieceAt = 0;
    let pieceStart = 0;
    let pieceIndex = -1;
    const keep = (chunk: Buffer) => {
      if (chunk.length >= GATHER_BELOW) {
        chunks.push(chunk);
        return;
      }
      if (piece === null || pieceAt + chunk.length > piece.length) {
        piece = Buffer.allocUnsafeSlow(GATHER_PIECE);
        pieceAt = 0;
        pieceIndex = -1;
      }
      if (pieceIndex === -1 || pieceIndex !== chunks.length - 1) {
        pieceStart = pieceAt;
        chunks.push(piece.subarray(pieceAt, pieceAt));
        pieceIndex = chunks.length - 1;
      }
      pieceAt += chunk.copy(piece, pieceAt);
      chunks[pieceIndex] = piece.subarray(pieceStart, pieceAt);
    };
    /** Hands the chunks on (to a file, to the Spooled) and starts none: a piece whose views were handed on is never written again. */
    const takeChunks = (): Buffer[] => {
      const taken = chunks;
      chunks = [];
      piece = null;
      pieceIndex = -1;
      return taken;
    };
    let size = 0;
    let exceeded = false;
    /** What the chunks in memory hold of the budget (past SPOOL_FROM_BYTES), and how many bytes that covers. */
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
        const taken = takeChunks();
        const held = exceeded ? [] : taken;
        const heldBudget = holds;
        holds = [];
        unregister?.();
        unregister = null;
        return inMemory(held, size, exceeded, heldBudget, () => this.#newPath());
      }
      return onDisk(at, size, exceeded);
    };
    return new Promise((resolve, reject) => {
      let failed: Error | null = null;
      const fail = (err: Error) => {
        if (failed) return;
        failed = err;
        stream.resume();
        takeChunks();
        letGo();
        if (!file || path === null) return reject(err);
        file.destroy();
        void removeFile(path).finally(() => reject(err));
      };
      let draining = false;
      /** Writes to the file, pausing the stream while the disk catches up (one wait for 'drain' at a time). */
      const write = (chunk: Buffer) => {
        // Each socket read is garbage once written: collected as it comes (spooled-bytes.ts scavengeAfter).
        scavengeAfter(chunk.length);
        if (!(file as WriteStream).write(chunk) && !draining) {
          draining = true;
          stream.pause();
          (file as WriteStream).once('drain', () => {
            draining = false;
            stream.resume();
          });
        }
      };
      /** From now on to a spool file: the bytes so far written first, and the budget they held given back. */
      toFile = () => {
        letGo();
        if (file || failed || exceeded) return;
        path = this.#newPath();
        file = createWriteStream(path, { mode: 0o600 });
        file.on('error', fail);
        for (const earlier of takeChunks()) write(earlier);
      };
      stream.on('error', fail);
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (exceeded || failed) return;
        if (size > limit) {
          exceeded = true;
          takeChunks();
          letGo();
          return;
        }
        if (!file) {
          keep(chunk);
          if (!roomInMemory()) toFile();
          return;
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

/** A message whose bytes are in a spool file. */
function onDisk(path: string, size: number, exceeded: boolean): Spooled {
  return {
    path,
    size,
    exceeded,
    admit: (budget, cost, waitMs) => budget.acquire(cost, waitMs),
    read: () => fromFile(path, size),
    remove: () => removeFile(path),
  };
}

/**
 * A message whose bytes are in memory: `holds` what they hold of the budget (none for one of at most
 * SPOOL_FROM_BYTES); written to a file at `newPath()` when admit has to wait.
 */
function inMemory(chunks: Buffer[], size: number, exceeded: boolean, holds: Release[], newPath: () => string): Spooled {
  let held = chunks;
  let path: string | null = null;
  const letGo = () => {
    for (const r of holds) r();
    holds = [];
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
      held = [];
      return budget.acquire(cost, waitMs);
    },
    read() {
      if (path !== null) return fromFile(path, size);
      const bytes = sharedCopy(held, size);
      held = [];
      return Promise.resolve(bytes);
    },
    async remove() {
      letGo();
      held = [];
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

/** A spool file's message as the stages read it: named, when larger than FILE_FROM; else read whole into shared memory. */
function fromFile(path: string, size: number): Promise<ReceivedBytes> {
  if (size > FILE_FROM) return Promise.resolve({ file: path, byteLength: size });
  return readWhole({ file: path, byteLength: size });
}
