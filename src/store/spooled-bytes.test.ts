import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readHeaderBlock, tooLarge } from '../core/header-block.js';
import { HEAD_LIMIT, headOf, readAt, readStream, readWhole, SpoolUnread, type SpooledFile } from './spooled-bytes.js';

const dir = mkdtempSync(join(tmpdir(), 'maskgate-spooled-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function spooled(bytes: Buffer): SpooledFile {
  const file = join(dir, `m${n++}.eml`);
  writeFileSync(file, bytes);
  return { file, byteLength: bytes.length };
}

const body = Buffer.alloc(300 * 1024, 'body line\r\n');

describe('a message read from its spool file', () => {
  it('gives the header block from the first bytes when it ends there, else from the first HEAD_LIMIT bytes, else refuses it: the verdict is the same', () => {
    // 1 MB of header block (900 fields of five lines) in front of 19 MB of body: read to HEAD_LIMIT, never whole.
    const field = (i: number) => `X-Pad-${i}: ${'p'.repeat(200)}\r\n${` ${'q'.repeat(210)}\r\n`.repeat(4)}`;
    const megabyte = `From: a@b.example\r\n${Array.from({ length: 900 }, (_, i) => field(i)).join('')}`;
    const large = Buffer.alloc(19 * 1024 * 1024, 'body line\r\n');
    const cases: [string, Buffer, 'head' | 'limit' | 'whole' | 'refused'][] = [
      ['a small header block', Buffer.concat([Buffer.from('From: a@b.example\r\nSubject: s\r\n\r\n'), body]), 'head'],
      ['LF line ends', Buffer.concat([Buffer.from('From: a@b.example\nSubject: s\n\n'), body]), 'head'],
      ['no header block at all', Buffer.concat([Buffer.from('\r\n'), body]), 'head'],
      [
        'a header block past the first bytes',
        Buffer.concat([Buffer.from(`From: a@b.example\r\n${'X-Pad: padding padding\r\n'.repeat(4000)}\r\n`), body]),
        'whole',
      ],
      ['no empty line (a message with no body)', Buffer.from(`From: a@b.example\r\n${'X-Pad: padding padding\r\n'.repeat(10_000)}`), 'whole'],
      [
        'a header line too long to accept',
        Buffer.concat([Buffer.from(`From: a@b.example\r\nX-Long: ${'y'.repeat(2 * 1024 * 1024)}\r\n\r\n`), body]),
        'refused',
      ],
      ['20 MB with 1 MB of header block', Buffer.concat([Buffer.from(`${megabyte}\r\n`), large]), 'limit'],
      [
        '20 MB with 1.2 MB of header block',
        Buffer.concat([Buffer.from(`${megabyte}X-Long: x\r\n${` ${'z'.repeat(2000)}\r\n`.repeat(100)}\r\n`), large]),
        'refused',
      ],
    ];
    for (const [name, bytes, read] of cases) {
      const head = headOf(spooled(bytes), 64 * 1024, HEAD_LIMIT);
      expect(head?.length ?? null, name).toBe({ head: 64 * 1024, limit: HEAD_LIMIT, whole: bytes.length, refused: null }[read]);
      expect(head ? readHeaderBlock(head) : tooLarge('more than 1 MiB before the empty line'), name).toEqual(readHeaderBlock(bytes));
    }
  });

  it('reads pieces (into a given buffer when it is large enough) and the whole file as they are', async () => {
    const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31) & 0xff));
    const f = spooled(bytes);
    expect(readAt(f, 1000, 5000).equals(bytes.subarray(1000, 6000))).toBe(true);
    expect(readAt(f, 199_000, 5000).equals(bytes.subarray(199_000))).toBe(true);
    const into = Buffer.alloc(8192);
    const view = readAt(f, 10, 4096, into);
    expect(view.buffer).toBe(into.buffer);
    expect(view.equals(bytes.subarray(10, 4106))).toBe(true);
    const whole = await readWhole(f);
    expect(whole.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(whole.equals(bytes)).toBe(true);
  });

  it('fails a stream over a file cut short or gone with SpoolUnread, never giving fewer bytes as the whole', async () => {
    const bytes = Buffer.alloc(200_000, 'line\r\n');
    const read = async (f: SpooledFile) => {
      const got: Buffer[] = [];
      for await (const chunk of readStream(f)) got.push(chunk as Buffer);
      return Buffer.concat(got);
    };
    const whole = spooled(bytes);
    expect((await read(whole)).equals(bytes)).toBe(true);
    await expect(read({ ...spooled(bytes.subarray(0, 150_000)), byteLength: bytes.length })).rejects.toBeInstanceOf(SpoolUnread);
    rmSync(whole.file);
    await expect(read(whole)).rejects.toBeInstanceOf(SpoolUnread);
  });
});
