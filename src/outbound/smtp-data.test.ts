import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { Transform } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SmtpDataStream } from './smtp-data.js';

// nodemailer's own DATA encoder, the reference: same bytes on the wire, or the test fails.
const { default: NodemailerDataStream } = (await import(
  new URL('../../node_modules/nodemailer/dist/esm/smtp-connection/data-stream.js', import.meta.url).href
)) as { default: new () => Transform };

async function through(stream: Transform, chunks: Buffer[]): Promise<Buffer> {
  return buffer(Readable.from(chunks).pipe(stream));
}

/** Message-like bytes rich in what the encoder must handle: CR, LF, CRLF, dots at line starts. */
function tricky(length: number): Buffer {
  const alphabet = Buffer.from('\r\n..\r\na.b\n\r\r\n.\rxyz');
  const noise = randomBytes(length);
  return Buffer.from(noise.map((b) => (b < 160 ? (alphabet[b % alphabet.length] as number) : b)));
}

function split(bytes: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const n = 1 + ((randomBytes(1)[0] as number) % 7);
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

describe('SMTP DATA encoding', () => {
  it('writes the bytes nodemailer writes, for any mix of CR, LF and leading dots, however the message is chunked', async () => {
    for (let round = 0; round < 300; round++) {
      const message = tricky(1 + (round % 60) * 3);
      const chunks = round % 2 ? split(message) : [message];
      const ours = await through(new SmtpDataStream(), chunks);
      const theirs = await through(new NodemailerDataStream(), chunks);
      expect(ours.toString('latin1'), JSON.stringify(message.toString('latin1'))).toBe(theirs.toString('latin1'));
    }
  });

  it('writes the bytes nodemailer writes for long messages at any offset in their memory, shared or not, with rare CRs, LFs and dots', async () => {
    for (let round = 0; round < 120; round++) {
      // Long runs without a CR or LF (read a word at a time), then the odd bare one, CRLF, leading dot, tab or NUL.
      const message = Buffer.from(randomBytes(200 + round * 37).map((b) => (b < 8 ? [0x0d, 0x0a, 0x2e, 0x0d, 0x0a, 0x2e, 0x09, 0x00][b]! : 0x61 + (b % 26))));
      const memory = round % 3 === 0 ? Buffer.from(new SharedArrayBuffer(message.length + 8)) : Buffer.alloc(message.length + 8);
      const placed = memory.subarray(round % 5, (round % 5) + message.length);
      message.copy(placed);
      const chunks = round % 2 ? split(placed).map((c, i) => (i % 3 === 0 ? c : Buffer.concat([c]))) : [placed];
      const ours = await through(new SmtpDataStream(), chunks);
      const theirs = await through(new NodemailerDataStream(), chunks);
      expect(ours.toString('latin1'), JSON.stringify(message.toString('latin1'))).toBe(theirs.toString('latin1'));
    }
  });

  it('never ends the data early nor sends a bare CR or LF, whatever the bytes, their offset in memory and their chunking (round-21 attack)', async () => {
    for (let round = 0; round < 2000; round++) {
      const length = 1 + (round % 97);
      // CR, LF, dots, NUL and 8-bit bytes only: every word holds a byte the encoder must look at, or none.
      const message = Buffer.from(randomBytes(length).map((b) => [0x0d, 0x0a, 0x2e, 0x41, 0x00, 0x80, 0xff, 0x0d][b % 8]!));
      const memory = round % 2 ? Buffer.from(new SharedArrayBuffer(length + 8)) : Buffer.alloc(length + 8);
      const placed = memory.subarray(round % 4, (round % 4) + length);
      message.copy(placed);
      const wire = (await through(new SmtpDataStream(), round % 3 ? split(placed) : [placed])).toString('latin1');
      const why = JSON.stringify(message.toString('latin1'));
      expect(wire.endsWith('\r\n.\r\n'), why).toBe(true);
      expect(wire.slice(0, -5).includes('\r\n.\r\n'), why).toBe(false);
      expect(/\r(?!\n)|(?<!\r)\n/.test(wire), why).toBe(false);
      // Undone as a receiver undoes it (RFC 5321 4.5.2): the message, its line ends made CRLF.
      const lines = wire
        .slice(0, -3)
        .split('\r\n')
        .map((l) => (l.startsWith('.') ? l.slice(1) : l));
      expect(lines.join('\r\n'), why).toBe(
        message.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n') + (/[\r\n]$/.test(message.toString('latin1')) ? '' : '\r\n'),
      );
    }
  });

  it('doubles a leading dot, repairs bare line ends, and ends the data with a dot line', async () => {
    const out = await through(new SmtpDataStream(), [Buffer.from('.first\r\nmid\n.dot\rend')]);
    expect(out.toString()).toBe('..first\r\nmid\r\n..dot\r\nend\r\n.\r\n');
    expect((await through(new SmtpDataStream(), [])).toString()).toBe('\r\n.\r\n');
  });

  it('passes a clean 1 MiB message without copying it', async () => {
    const body = Buffer.from('Subject: x\r\n\r\n' + 'a line of text that needs nothing\r\n'.repeat(30_000));
    const s = new SmtpDataStream();
    const out: Buffer[] = [];
    s.on('data', (c: Buffer) => out.push(c));
    s.end(body);
    await new Promise((r) => s.on('end', r));
    expect(out[0]).toBe(body);
    expect(s.outByteCount).toBe(body.length + 3);
  });
});
