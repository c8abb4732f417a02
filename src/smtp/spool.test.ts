import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { ByteBudget, MEMORY_PER_BYTE } from '../relay/byte-budget.js';
import { FILE_FROM, inFile, readAt, readStream, SCAVENGE_EVERY_BYTES } from '../store/spooled-bytes.js';
import { Spool, SPOOL_FROM_BYTES, type IntakeBudget, type Spooled } from './spool.js';

/** A DATA stream that delivers `bytes` in chunks of at most 64 KiB (as a socket does), and the spool's files seen while it flowed. */
function feed(spool: Spool, bytes: Buffer, limit = 64 * 1024 * 1024, budget: IntakeBudget | null = null) {
  const stream = new PassThrough();
  const received = spool.receive(stream, limit, budget);
  let filesWhileReceiving = 0;
  void (async () => {
    for (let at = 0; at < bytes.length; at += 64 * 1024) {
      stream.write(bytes.subarray(at, at + 64 * 1024));
      await new Promise((r) => setImmediate(r));
      filesWhileReceiving = Math.max(filesWhileReceiving, readdirSync(spool.dir).length);
    }
    stream.end();
  })();
  return { received, files: () => filesWhileReceiving };
}

const MB = 1024 * 1024;

/** What read() gives a message read back whole (in memory, or a spool file of at most FILE_FROM bytes). */
async function whole(got: Spooled): Promise<Buffer> {
  const bytes = await got.read();
  if (inFile(bytes)) throw new Error(`expected the bytes, got the spool file ${bytes.file}`);
  return bytes;
}

const message = (size: number) => Buffer.from(`Subject: s\r\n\r\n${'x'.repeat(size)}`.slice(0, size), 'latin1');

/** A full collection (the test process has no --expose-gc: the flag is set for one new context's `gc`). */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Memory the process holds for JavaScript objects and buffers, in bytes, after a full collection. */
function heldMemory(): number {
  collect();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** A fresh directory for one test's spool, removed after the test (they were left in /tmp before). */
const dirs: string[] = [];
function spoolDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'maskgate-spool-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('Spool', () => {
  it('holds a message sent in tiny TCP segments in about its own size of memory, and reads it back whole', async () => {
    // A socket gives every read a buffer of its own, of exactly its length: 20-byte segments kept as
    // they came cost ~11 times their bytes (objects and allocations per read), within
    // SPOOL_FROM_BYTES not counted by the byte budget at all. 40 sessions hold 100 KiB each.
    const spool = new Spool(spoolDir());
    const bytes = message(100 * 1024);
    const before = heldMemory();
    const held = [];
    for (let session = 0; session < 40; session++) {
      const stream = new PassThrough();
      const received = spool.receive(stream, 64 * MB);
      for (let at = 0; at < bytes.length; at += 20) {
        const read = Buffer.from(new ArrayBuffer(Math.min(20, bytes.length - at)));
        bytes.copy(read, 0, at, at + read.length);
        stream.write(read);
      }
      stream.end();
      held.push(await received);
    }
    const grew = heldMemory() - before;
    expect(grew).toBeLessThan(3 * 40 * bytes.length);
    for (const got of held) {
      expect(got.path).toBeNull();
      expect((await whole(got)).equals(bytes)).toBe(true);
      await got.remove();
    }
  });

  it('holds a message read as smtp-server hands DATA on (4 held bytes, then a read of ~1 KiB, in turn) in about its own size of memory', async () => {
    // The DATA reader (dot-unstuffing.ts) writes the 4 bytes it held back as a piece of their own
    // before each read: a new 16 KiB piece for every 4 bytes held ~15 times the message.
    const spool = new Spool(spoolDir());
    const bytes = message(100 * 1024);
    const before = heldMemory();
    const held = [];
    for (let session = 0; session < 40; session++) {
      const stream = new PassThrough();
      const received = spool.receive(stream, 64 * MB);
      for (let at = 0, k = 0; at < bytes.length; k++) {
        const n = Math.min(k % 2 === 0 ? 4 : 1096, bytes.length - at);
        const read = Buffer.from(new ArrayBuffer(n));
        bytes.copy(read, 0, at, at + n);
        stream.write(read);
        at += n;
      }
      stream.end();
      held.push(await received);
    }
    const grew = heldMemory() - before;
    expect(grew).toBeLessThan(3 * 40 * bytes.length);
    for (const got of held) {
      expect((await whole(got)).equals(bytes)).toBe(true);
      await got.remove();
    }
  });

  it('reads back the same bytes from tiny and large reads mixed, in memory and once it went to a file', async () => {
    const spool = new Spool(spoolDir());
    const bytes = Buffer.from(Array.from({ length: 300 * 1024 }, (_, i) => (i * 7 + (i >> 9)) & 0xff));
    const sizes = [1, 20, 1023, 1024, 5000, 3, 16 * 1024, 16 * 1024 + 1, 700, 64 * 1024, 2];
    for (const budget of [new ByteBudget(64 * MB), null]) {
      const stream = new PassThrough();
      const received = spool.receive(stream, 64 * MB, budget);
      for (let at = 0, k = 0; at < bytes.length; k++) {
        const n = sizes[k % sizes.length] as number;
        stream.write(Buffer.from(bytes.subarray(at, at + n)));
        at += n;
        if (k % 7 === 0) await new Promise((r) => setImmediate(r));
      }
      stream.end();
      const got = await received;
      // With no budget, past SPOOL_FROM_BYTES it went to a file, its gathered reads first.
      expect(got.path === null).toBe(budget !== null);
      if (budget) await got.admit(budget, bytes.length * MEMORY_PER_BYTE, 1000);
      expect((await whole(got)).equals(bytes)).toBe(true);
      await got.remove();
    }
  });

  it('keeps a small message in memory: no file is written, and the bytes read back are the bytes sent', async () => {
    const spool = new Spool(spoolDir());
    const bytes = message(10 * 1024);
    const { received, files } = feed(spool, bytes);
    const got = await received;
    expect(got.path).toBeNull();
    expect(files()).toBe(0);
    expect(got.size).toBe(bytes.length);
    const read = await whole(got);
    expect(read.equals(bytes)).toBe(true);
    expect(read.buffer).toBeInstanceOf(SharedArrayBuffer);
    await got.remove();
    expect(readdirSync(spool.dir)).toEqual([]);
  });

  it('names the spool file of a message larger than FILE_FROM instead of reading it, and its pieces and stream are the bytes received', async () => {
    const spool = new Spool(spoolDir());
    const bytes = Buffer.alloc(FILE_FROM + 3 * 65_536 + 17);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 13)) & 0xff;
    const got = await feed(spool, bytes).received;
    const named = await got.read();
    if (!inFile(named)) throw new Error('read the message whole');
    expect(named).toEqual({ file: got.path, byteLength: bytes.length });
    expect(readAt(named, 0, 1000).equals(bytes.subarray(0, 1000))).toBe(true);
    expect(readAt(named, FILE_FROM, 1 << 20).equals(bytes.subarray(FILE_FROM))).toBe(true);
    const pieces: Buffer[] = [];
    for await (const piece of readStream(named)) pieces.push(piece as Buffer);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(64 * 1024);
    expect(Buffer.concat(pieces).equals(bytes)).toBe(true);
    await got.remove();
    expect(readdirSync(spool.dir)).toEqual([]);
  });

  it('collects the young generation once per SCAVENGE_EVERY_BYTES written to spool files, so the reads written are freed', async () => {
    const calls: unknown[] = [];
    const host = globalThis as { gc?: unknown };
    const before = host.gc;
    host.gc = (o?: unknown) => void calls.push(o);
    try {
      const spool = new Spool(spoolDir());
      const got = await feed(spool, message(3 * SCAVENGE_EVERY_BYTES + 1000)).received;
      await new Promise((r) => setImmediate(r));
      expect(calls.length).toBeGreaterThanOrEqual(2);
      expect(calls.length).toBeLessThanOrEqual(3);
      expect(calls.every((o) => JSON.stringify(o) === JSON.stringify({ type: 'minor' }))).toBe(true);
      await got.remove();
    } finally {
      host.gc = before;
    }
  });

  it('writes a message larger than SPOOL_FROM_BYTES to a file as it arrives (its first bytes too) and removes the file', async () => {
    const spool = new Spool(spoolDir());
    const bytes = message(SPOOL_FROM_BYTES * 8 + 123);
    const got = await feed(spool, bytes).received;
    expect(got.path).not.toBeNull();
    expect(readdirSync(spool.dir)).toHaveLength(1);
    // Read back from the file: every byte, the ones that arrived before it was opened too.
    expect(statSync(got.path as string).size).toBe(bytes.length);
    expect((await whole(got)).equals(bytes)).toBe(true);
    await got.remove();
    await got.remove();
    expect(readdirSync(spool.dir)).toEqual([]);
  });

  it('keeps nothing of a message over the limit, in memory or on disk, and still reads the stream to its end', async () => {
    const spool = new Spool(spoolDir());
    for (const [size, limit] of [
      [50 * 1024, 20 * 1024],
      [SPOOL_FROM_BYTES * 4, SPOOL_FROM_BYTES * 2],
    ] as const) {
      const got = await feed(spool, message(size), limit).received;
      expect(got.exceeded).toBe(true);
      expect(got.size).toBe(size);
      expect(readdirSync(spool.dir)).toEqual([]);
    }
  });

  it('keeps a larger message in memory while the byte budget has room for all of it, counted in the budget until it is admitted', async () => {
    const spool = new Spool(spoolDir());
    const budget = new ByteBudget(64 * MB);
    const bytes = message(3 * MB + 123);
    const { received, files } = feed(spool, bytes, 64 * MB, budget);
    const got = await received;
    expect(got.path).toBeNull();
    expect(files()).toBe(0);
    // Held under the budget while it waits for its final dot: at least what processing it costs.
    expect(budget.used).toBeGreaterThanOrEqual(bytes.length * MEMORY_PER_BYTE);
    const release = await got.admit(budget, bytes.length * MEMORY_PER_BYTE, 1000);
    // Admitted: what it held while arriving is given back, its processing cost taken instead.
    expect(budget.used).toBe(bytes.length * MEMORY_PER_BYTE);
    const read = await whole(got);
    expect(read.equals(bytes)).toBe(true);
    expect(read.buffer).toBeInstanceOf(SharedArrayBuffer);
    release?.();
    await got.remove();
    expect(budget.used).toBe(0);
    expect(readdirSync(spool.dir)).toEqual([]);
  });

  it('writes a larger message to a file as it arrives once the byte budget has no more room, and gives back what it held', async () => {
    const spool = new Spool(spoolDir());
    const budget = new ByteBudget(64 * MB);
    // Another message being processed holds most of the budget: processing this one (8 × 3 MB) would not fit.
    const other = budget.tryAcquire(50 * MB);
    expect(other).not.toBeNull();
    const bytes = message(3 * MB + 123);
    const got = await feed(spool, bytes, 64 * MB, budget).received;
    expect(got.path).not.toBeNull();
    expect(readdirSync(spool.dir)).toHaveLength(1);
    expect(budget.used).toBe(50 * MB);
    expect((await whole(got)).equals(bytes)).toBe(true);
    await got.remove();
    expect(readdirSync(spool.dir)).toEqual([]);
    other?.();
    expect(budget.used).toBe(0);
  });

  it('writes a message held in memory to a file before it waits for the budget, so waiting holds no memory the budget does not count', async () => {
    const spool = new Spool(spoolDir());
    const budget = new ByteBudget(64 * MB);
    const bytes = message(2 * MB);
    const got = await feed(spool, bytes, 64 * MB, budget).received;
    expect(got.path).toBeNull();
    // A message ahead of it in the queue for the budget takes what it gave back: it waits, from a file.
    const other = budget.tryAcquire(20 * MB);
    const first = budget.acquire(40 * MB, 5000);
    const admitted = got.admit(budget, MEMORY_PER_BYTE * bytes.length, 5000);
    // The write takes its time on a loaded machine: poll (bounded) rather than sleep a fixed 100 ms.
    // Its path is set as the write starts, before the file exists: a stat in between is ENOENT, not written.
    const written = () => got.path !== null && statSync(got.path, { throwIfNoEntry: false })?.size === bytes.length;
    for (let i = 0; i < 200 && !written(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(got.path).not.toBeNull();
    expect(statSync(got.path as string).size).toBe(bytes.length);
    expect(budget.used).toBe(60 * MB);
    other?.();
    (await first)?.();
    const release = await admitted;
    expect(release).not.toBeNull();
    expect((await whole(got)).equals(bytes)).toBe(true);
    release?.();
    await got.remove();
    expect(readdirSync(spool.dir)).toEqual([]);
    expect(budget.used).toBe(0);
  });

  it('gives back the budget a message over the limit held while it arrived', async () => {
    const spool = new Spool(spoolDir());
    const budget = new ByteBudget(64 * MB);
    const got = await feed(spool, message(3 * MB), 2 * MB, budget).received;
    expect(got.exceeded).toBe(true);
    expect(budget.used).toBe(0);
    expect(readdirSync(spool.dir)).toEqual([]);
  });

  it('gives back the room of a message still arriving (to a file from then on) as soon as another would wait for the budget', async () => {
    const spool = new Spool(spoolDir());
    const budget = new ByteBudget(8 * MB);
    // A client sends 600 KiB and stops before its final dot: held in memory, under the budget.
    const stream = new PassThrough();
    const receiving = spool.receive(stream, 64 * MB, budget);
    const bytes = message(600 * 1024);
    for (let at = 0; at < bytes.length; at += 64 * 1024) {
      stream.write(bytes.subarray(at, at + 64 * 1024));
      await new Promise((r) => setImmediate(r));
    }
    expect(budget.used).toBeGreaterThanOrEqual(bytes.length * MEMORY_PER_BYTE);
    expect(readdirSync(spool.dir)).toEqual([]);
    // A complete message needs 6 MB: it gets them at once, and the one still arriving goes to a file.
    const release = await budget.acquire(6 * MB, 0);
    expect(release).not.toBeNull();
    expect(budget.used).toBe(6 * MB);
    // (the file opens asynchronously)
    for (let i = 0; i < 200 && readdirSync(spool.dir).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(readdirSync(spool.dir)).toHaveLength(1);
    // The stalled client finishes: every byte it sent is kept, the ones before the file too.
    const rest = Buffer.from('\r\nthe end\r\n', 'latin1');
    stream.end(rest);
    const got = await receiving;
    expect(got.path).not.toBeNull();
    expect((await whole(got)).equals(Buffer.concat([bytes, rest]))).toBe(true);
    release?.();
    await got.remove();
    expect(budget.used).toBe(0);
    expect(readdirSync(spool.dir)).toEqual([]);
  });
});
