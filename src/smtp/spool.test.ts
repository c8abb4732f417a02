import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryCost, MEMORY_PER_BYTE } from '../relay/byte-budget.js';
import { looksEncoded, Spool } from './spool.js';

const dir = mkdtempSync(join(tmpdir(), 'mg-spool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A message as smtp-server hands it over: in 64 KiB chunks. */
function chunked(message: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < message.length; at += 65536) chunks.push(message.subarray(at, at + 65536));
  return Readable.from(chunks);
}

describe('the spool tells attachments from text for the byte budget', () => {
  const head = 'From: a@b.example\r\nTo: c@d.example\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n';
  const text = 'Dear Jane, the kettle arrived broken; write to me at jane@buyer.example, thanks!\r\n'.repeat(13_000);
  const base64 = Buffer.alloc(768 * 1024, 'binary data \x00\xff')
    .toString('base64')
    .replace(/.{76}/g, '$&\r\n');
  const message = Buffer.from(
    `${head}--b1\r\nContent-Type: text/plain\r\n\r\n${text}--b1\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64}\r\n--b1--\r\n`,
    'latin1',
  );

  it('counts the base64 lines of an attachment as encoded and the text as text, each within a chunk', async () => {
    const spooled = await new Spool(dir).receive(chunked(message), 10 * 1024 * 1024);
    expect(spooled.size).toBe(message.length);
    // ~1 MiB of base64 and ~1 MiB of text: each counted to within the two chunks at the boundaries.
    expect(Math.abs(spooled.encoded - base64.length)).toBeLessThan(2 * 65536);
    expect(memoryCost(spooled.size, spooled.encoded)).toBeGreaterThan(message.length * MEMORY_PER_BYTE.encoded);
    expect(memoryCost(spooled.size, spooled.encoded)).toBeLessThan(message.length * MEMORY_PER_BYTE.text);
    await spooled.remove();
  });

  it('reads text, HTML and quoted-printable as text, and short chunks as text', () => {
    expect(looksEncoded(Buffer.from(text))).toBe(false);
    expect(looksEncoded(Buffer.from('<p style="color:red">Hello</p>\r\n'.repeat(100)))).toBe(false);
    expect(looksEncoded(Buffer.from('Gr=C3=BC=C3=9Fe aus K=C3=B6ln=\r\n'.repeat(100)))).toBe(false);
    expect(looksEncoded(Buffer.from(base64.slice(0, 100)))).toBe(false);
    expect(looksEncoded(Buffer.from(base64.slice(0, 65536)))).toBe(true);
  });
});
