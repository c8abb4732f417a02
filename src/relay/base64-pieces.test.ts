import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PIECE, replaced, SplitterDecoder, wholeTransform } from './base64-pieces.js';
import { parseMail } from './parse.js';

/** What the splitter's decoder gives for `input` written as one chunk, with libbase64's own transform (whole) or ours. */
async function decode(input: Buffer, whole: boolean): Promise<Buffer> {
  if (!SplitterDecoder) throw new Error('no decoder');
  const decoder = new SplitterDecoder() as NodeJS.ReadWriteStream & { _transform?: unknown };
  if (whole) decoder._transform = wholeTransform;
  const out: Buffer[] = [];
  decoder.on('data', (b: Buffer) => out.push(b));
  const ended = new Promise((resolve) => decoder.on('end', resolve));
  decoder.end(input);
  await ended;
  return Buffer.concat(out);
}

describe("the MIME splitter's base64 decoder, in pieces", () => {
  it('is in place (mailparser still loads the decoder it changes)', () => {
    expect(replaced).toBe(true);
  });

  it('decodes large chunks to the same bytes as libbase64 decoding them whole: line ends, junk, padding in the middle, every end', async () => {
    let seed = 5;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const inputs: Buffer[] = [];
    for (let round = 0; round < 12; round++) {
      const data = randomBytes(PIECE + random(3 * PIECE));
      let b64 = data.toString('base64');
      if (round % 3 === 0) b64 = b64.replace(/.{76}/g, '$&\r\n');
      if (round % 3 === 1) b64 = b64.replace(/.{57}/g, (m) => `${m}${['\n', ' ', '\t', '*', '\r\n', 'é'][random(6)]}`);
      // two encodings joined (padding in the middle), cut at any length (an unfinished quartet)
      if (round % 4 === 2) b64 = `${Buffer.from('ab').toString('base64')}\r\n${b64}`;
      if (round % 4 === 3) b64 = b64.slice(0, b64.length - random(5));
      inputs.push(Buffer.from(b64, 'latin1'));
    }
    // an input exactly PIECE and twice PIECE long, and one a quartet across each boundary
    inputs.push(
      Buffer.from('QUJD'.repeat(PIECE / 4), 'latin1'),
      Buffer.from('QUJD'.repeat(PIECE / 2), 'latin1'),
      Buffer.from(`Q${'UJDQ'.repeat(PIECE / 2)}UJD`, 'latin1'),
    );
    for (const [i, input] of inputs.entries()) expect((await decode(input, false)).equals(await decode(input, true)), `input ${i}`).toBe(true);
  });

  it('decodes a large chunk no further ahead of a reader that reads slowly, and to the same bytes', async () => {
    if (!SplitterDecoder) throw new Error('no decoder');
    const data = randomBytes(40 * PIECE);
    const decoder = new SplitterDecoder() as NodeJS.ReadWriteStream & { readableLength: number; readableHighWaterMark: number };
    decoder.write(Buffer.from(data.toString('base64').replace(/.{76}/g, '$&\r\n'), 'latin1'));
    decoder.end();
    const out: Buffer[] = [];
    let most = 0;
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      most = Math.max(most, decoder.readableLength);
      const chunk = decoder.read() as Buffer | null;
      if (chunk === null && decoder.readableLength === 0 && (decoder as unknown as { readableEnded: boolean }).readableEnded) break;
      if (chunk) out.push(chunk);
      else await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(Buffer.concat(out).equals(data)).toBe(true);
    // One piece decoded past the high-water mark at most, not the whole chunk.
    expect(most).toBeLessThanOrEqual(decoder.readableHighWaterMark + PIECE);
  });

  it('hands a 1 MiB attachment to the rewrite byte for byte', async () => {
    const data = randomBytes(1024 * 1024);
    const raw = Buffer.from(
      'From: jane@buyer.example\r\nTo: x@relay.test\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n' +
        `--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/pdf; name=x.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n${data.toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n--b--\r\n`,
      'latin1',
    );
    const mail = await parseMail(raw, 20_000);
    expect(mail.attachments).toHaveLength(1);
    expect(Buffer.from(mail.attachments[0]?.content ?? []).equals(data)).toBe(true);
  });
});
