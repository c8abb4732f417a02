import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ByteBudget, MEMORY_PER_BYTE } from '../relay/byte-budget.js';
import { Spool, SPOOL_FROM_BYTES, type IntakeBudget } from './spool.js';

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

const message = (size: number) => Buffer.from(`Subject: s\r\n\r\n${'x'.repeat(size)}`.slice(0, size), 'latin1');

describe('Spool', () => {
  it('keeps a small message in memory: no file is written, and the bytes read back are the bytes sent', async () => {
    const spool = new Spool(mkdtempSync(join(tmpdir(), 'maskgate-spool-')));
    const bytes = message(10 * 1024);
    const { received, files } = feed(spool, bytes);
    const got = await received;
    expect(got.path).toBeNull();
    expect(files()).toBe(0);
    expect(got.size).toBe(bytes.length);
    const read = await got.read();
    expect(read.equals(bytes)).toBe(true);
    expect(read.buffer).toBeInstanceOf(SharedArrayBuffer);
    await got.remove();
    expect(readdirSync(spool.dir)).toEqual([]);
  });

  it('writes a message larger than SPOOL_FROM_BYTES to a file as it arrives (its first bytes too) and removes the file', async () => {
    const spool = new Spool(mkdtempSync(join(tmpdir(), 'maskgate-spool-')));
    const bytes = message(SPOOL_FROM_BYTES * 8 + 123);
    const got = await feed(spool, bytes).received;
    expect(got.path).not.toBeNull();
    expect(readdirSync(spool.dir)).toHaveLength(1);
    // Read back from the file: every byte, the ones that arrived before it was opened too.
    expect(statSync(got.path as string).size).toBe(bytes.length);
    expect((await got.read()).equals(bytes)).toBe(true);
    await got.remove();
    await got.remove();
    expect(readdirSync(spool.dir)).toEqual([]);
  });

  it('keeps nothing of a message over the limit, in memory or on disk, and still reads the stream to its end', async () => {
    const spool = new Spool(mkdtempSync(join(tmpdir(), 'maskgate-spool-')));
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
    const spool = new Spool(mkdtempSync(join(tmpdir(), 'maskgate-spool-')));
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
    const read = await got.read();
    expect(read.equals(bytes)).toBe(true);
    expect(read.buffer).toBeInstanceOf(SharedArrayBuffer);
    release?.();
    await got.remove();
    expect(budget.used).toBe(0);
    expect(readdirSync(spool.dir)).toEqual([]);
  });

  it('writes a larger message to a file as it arrives once the byte budget has no more room, and gives back what it held', async () => {
    const spool = new Spool(mkdtempSync(join(tmpdir(), 'maskgate-spool-')));
    const budget = new ByteBudget(64 * MB);
    // Another message being processed holds most of the budget: processing this one (8 × 3 MB) would not fit.
    const other = budget.tryAcquire(50 * MB);
    expect(other).not.toBeNull();
    const bytes = message(3 * MB + 123);
    const got = await feed(spool, bytes, 64 * MB, budget).received;
    expect(got.path).not.toBeNull();
    expect(readdirSync(spool.dir)).toHaveLength(1);
    expect(budget.used).toBe(50 * MB);
    expect((await got.read()).equals(bytes)).toBe(true);
    await got.remove();
    expect(readdirSync(spool.dir)).toEqual([]);
    other?.();
    expect(budget.used).toBe(0);
  });

  it('writes a message held in memory to a file before it waits for the budget, so waiting holds no memory the budget does not count', async () => {
    const spool = new Spool(mkdtempSync(join(tmpdir(), 'maskgate-spool-')));
    const budget = new ByteBudget(64 * MB);
    const bytes = message(2 * MB);
    const got = await feed(spool, bytes, 64 * MB, budget).received;
    expect(got.path).toBeNull();
    // A message ahead of it in the queue for the budget takes what it gave back: it waits, from a file.
    const other = budget.tryAcquire(20 * MB);
    const first = budget.acquire(40 * MB, 5000);
    const admitted = got.admit(budget, MEMORY_PER_BYTE * bytes.length, 5000);
    await new Promise((r) => setTimeout(r, 100));
    expect(got.path).not.toBeNull();
    expect(statSync(got.path as string).size).toBe(bytes.length);
    expect(budget.used).toBe(60 * MB);
    other?.();
    (await first)?.();
    const release = await admitted;
    expect(release).not.toBeNull();
    expect((await got.read()).equals(bytes)).toBe(true);
    release?.();
    await got.remove();
    expect(readdirSync(spool.dir)).toEqual([]);
    expect(budget.used).toBe(0);
  });

  it('gives back the budget a message over the limit held while it arrived', async () => {
    const spool = new Spool(mkdtempSync(join(tmpdir(), 'maskgate-spool-')));
    const budget = new ByteBudget(64 * MB);
    const got = await feed(spool, message(3 * MB), 2 * MB, budget).received;
    expect(got.exceeded).toBe(true);
    expect(budget.used).toBe(0);
    expect(readdirSync(spool.dir)).toEqual([]);
  });

  it('gives back the room of a message still arriving (to a file from then on) as soon as another would wait for the budget', async () => {
    const spool = new Spool(mkdtempSync(join(tmpdir(), 'maskgate-spool-')));
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
    expect((await got.read()).equals(Buffer.concat([bytes, rest]))).toBe(true);
    release?.();
    await got.remove();
    expect(budget.used).toBe(0);
    expect(readdirSync(spool.dir)).toEqual([]);
  });
});
