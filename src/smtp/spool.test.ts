import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Spool, SPOOL_FROM_BYTES } from './spool.js';

/** A DATA stream that delivers `bytes` in chunks of at most 64 KiB (as a socket does), and the spool's files seen while it flowed. */
function feed(spool: Spool, bytes: Buffer, limit = 64 * 1024 * 1024) {
  const stream = new PassThrough();
  const received = spool.receive(stream, limit);
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
});
