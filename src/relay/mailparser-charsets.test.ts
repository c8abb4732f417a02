import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { replaced } from './mailparser-charsets.js';
import { parseMail } from './parse.js';

const head = (type: string, extra: string[] = []) =>
  ['From: Jane Buyer <jane@buyer.example>', 'To: x@relay.test', 'Subject: s', 'MIME-Version: 1.0', `Content-Type: ${type}`, ...extra, '', ''].join('\r\n');
const b64 = (b: Buffer) => b.toString('base64').replace(/(.{76})/g, '$1\r\n');

describe('mailparser reads a body and an encoded word in every charset charsets.ts reads (round 19)', () => {
  it('changed mailparser and both copies of libmime', () => {
    expect(replaced).toBe(true);
  });

  it('reads a UTF-7 body as UTF-7, across the 64 KiB pieces, in 7bit and in base64', async () => {
    const text = `${'Grüße aus München, '.repeat(9000)}write to anna@shop.example ${'東京 '.repeat(5000)}end`;
    const u7 = iconv.encode(text, 'utf7');
    for (const raw of [
      Buffer.concat([Buffer.from(head('text/plain; charset=utf-7')), u7]),
      Buffer.from(head('text/plain; charset="UTF-7"', ['Content-Transfer-Encoding: base64']) + b64(u7)),
    ]) {
      const m = await parseMail(raw, 20_000);
      expect(m.text?.replace(/\n$/, '')).toBe(text);
      expect(m.unreadCharsets).toBeUndefined();
    }
  });

  it('reads a UTF-32 body and a text body in the HTML part', async () => {
    const raw = Buffer.from(
      head('text/html; charset=utf-32be', ['Content-Transfer-Encoding: base64']) + b64(iconv.encode('<p>anna@shop.example</p>', 'utf32be')),
    );
    expect((await parseMail(raw, 20_000)).html).toBe('<p>anna@shop.example</p>');
  });

  it('leaves out a body in a charset no decoder here knows, and names its charset', async () => {
    const raw = Buffer.from(head('text/plain; charset=IBM037', ['Content-Transfer-Encoding: base64']) + b64(Buffer.from([0x81, 0x95, 0x95, 0x81, 0x7c, 0xa2])));
    const m = await parseMail(raw, 20_000);
    expect(m.text ?? '').toBe('');
    expect(m.unreadCharsets).toEqual(['IBM037']);
  });

  it('reads UTF-7 encoded words (RFC 2047) and parameters (RFC 2231), and shows a word in an unknown charset as U+FFFD', async () => {
    const raw = Buffer.from(
      [
        'From: =?utf-7?Q?Anna_+AEA-_Shop?= <jane@buyer.example>',
        'To: x@relay.test',
        'Subject: =?utf-7?Q?anna+AEA-shop.example?= =?ibm037?Q?=81?=',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary=q',
        '',
        '--q',
        'Content-Type: text/plain',
        '',
        'hi',
        '--q',
        'Content-Type: application/octet-stream',
        "Content-Disposition: attachment; filename*=utf-7''anna%2BAEA-shop.txt",
        '',
        'x',
        '--q--',
        '',
      ].join('\r\n'),
    );
    const m = await parseMail(raw, 20_000);
    expect(m.subject).toBe('anna@shop.example\ufffd');
    expect(m.from?.name).toBe('Anna @ Shop');
    expect(m.attachments[0]?.filename).toBe('anna@shop.txt');
  });
});

describe('round-20 attack: a label kept in the encoded-word cache keeps its header alive', () => {
  it('lets 32 headers of 1 MiB go once their encoded words are read: a cached label is a copy, not a slice of its header (bytes still held counted after a collection)', async () => {
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { default: libmimeEsm } = await import('libmime');
    const decodeWords = (libmimeEsm as unknown as { decodeWords(s: string): string }).decodeWords.bind(libmimeEsm);
    const tag = Math.random().toString(36).slice(2);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 32; i++) expect(decodeWords(`=?x-made-up-${tag}-${i}?Q?anna?= ${'z'.repeat(1 << 20)}${i}`)).toContain('\ufffd');
    gc();
    // 32 MiB held when each label kept its header; a few labels' worth when copied.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(8 << 20);
    // Labels of 512 KiB (letters iconv-lite ignores around a name it knows, and made-up ones) are read, not held.
    for (let i = 0; i < 32; i++) {
      decodeWords(`=?u-t-f-7${'-'.repeat(1 << 19)}${'_'.repeat(i)}?Q?anna?=`);
      decodeWords(`=?x-${tag}${'a'.repeat(1 << 19)}${i}?Q?anna?=`);
    }
    gc();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(8 << 20);
  });
});
