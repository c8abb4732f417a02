import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { textWithLfLineEnds, utf8Text, withMailparserText, replaced } from './mailparser-text.js';
import { parseMail } from './parse.js';

const head = 'From: Jane <jane@buyer.example>\r\nTo: x@relay.test\r\nSubject: s\r\nMIME-Version: 1.0\r\n';
const line = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789';

/** Messages whose text parts take every path mailparser reads text by: charsets, encodings, flowed, several parts, line ends of every kind. */
const generated: Record<string, Buffer> = {
  'plain CRLF': Buffer.from(`${head}Content-Type: text/plain\r\n\r\n${`${line}\r\n`.repeat(2000)}`, 'latin1'),
  'LF only': Buffer.from(`${head}Content-Type: text/plain\n\n${`${line}\n`.repeat(50)}`, 'latin1'),
  'bare CRs, CR CR LF, blank lines': Buffer.from(`${head}Content-Type: text/plain\r\n\r\na\rb\r\r\nc\r\n\r\n\r\n\nd\n\r\re`, 'latin1'),
  'no line end at all': Buffer.from(`${head}Content-Type: text/plain\r\n\r\nonly this`, 'latin1'),
  'empty body': Buffer.from(`${head}Content-Type: text/plain\r\n\r\n`, 'latin1'),
  'UTF-8 and broken UTF-8 before line ends': Buffer.concat([
    Buffer.from(`${head}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße\r\n`, 'latin1'),
    Buffer.from([0xe2, 0x82, 0x0d, 0x0a, 0xf0, 0x0d, 0x0d, 0x0a, 0xc3, 0x0a, 0xe6, 0x97, 0xa5, 0x0d, 0x0a]),
  ]),
  'quoted-printable with soft breaks and encoded CRLF': Buffer.from(
    `${head}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe aus M=C3=BCnchen, a long line that goes on=\r\n and on=0D=0Aand=0Dstops\r\nlast=\r\n`,
    'latin1',
  ),
  'base64 text with CRLF inside': Buffer.from(
    `${head}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from('one\r\ntwo\nthree\r\r\nfour ü\r\n').toString('base64')}\r\n`,
    'latin1',
  ),
  'iso-8859-1': Buffer.from(
    `${head}Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nM\xfcnchen\r\nStra\xdfe\r\n`,
    'latin1',
  ),
  'windows-1251': Buffer.from(
    `${head}Content-Type: text/plain; charset=windows-1251\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\xcf\xf0\xe8\xe2\xe5\xf2\r\n\xec\xe8\xf0\r\n`,
    'latin1',
  ),
  'format=flowed delsp': Buffer.from(
    `${head}Content-Type: text/plain; format=flowed; delsp=yes\r\n\r\nThis is a flowed  \r\nparagraph that \r\ncontinues.\r\n\r\n> quoted \r\n> more\r\n`,
    'latin1',
  ),
  'alternative text and HTML': Buffer.from(
    `${head}Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nplain\r\nlines\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html</p>\r\n<p>lines ü</p>\r\n--b--\r\n`,
    'latin1',
  ),
  'mixed: two text parts, an attachment, an inline text attachment': Buffer.from(
    `${head}Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nfirst\r\npart\r\n--m\r\nContent-Type: text/plain\r\n\r\nsecond\r\npart\r\n` +
      `--m\r\nContent-Type: text/csv; name=a.csv\r\nContent-Disposition: attachment; filename=a.csv\r\n\r\na,b\r\n1,2\r\n` +
      `--m\r\nContent-Type: application/pdf; name=x.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from('%PDF-1.4 x\r\n').toString('base64')}\r\n--m--\r\n`,
    'latin1',
  ),
  'delivery report': Buffer.from(
    `${head}Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nIt failed.\r\n` +
      `--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; a@b.example\r\nAction: failed\r\nStatus: 5.1.1\r\n--r--\r\n`,
    'latin1',
  ),
  'attached message with its own text': Buffer.from(
    `${head}Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: text/plain\r\n\r\nsee below\r\n--o\r\nContent-Type: message/rfc822\r\n\r\n` +
      `From: a@b.example\r\nSubject: inner\r\nContent-Type: text/plain\r\n\r\ninner\r\ntext\r\n--o--\r\n`,
    'latin1',
  ),
};

const cases = join(import.meta.dirname, '../../test/fixtures/masking');
const handed = Object.fromEntries(readdirSync(cases).map((f) => [f, readFileSync(join(cases, f))]));

describe("mailparser's text reading, changed", () => {
  it('is in place (mailparser still has the internals it hooks)', () => {
    expect(replaced).toBe(true);
  });

  it('reads every text, HTML and attachment as mailparser itself does, on generated and handed messages', async () => {
    for (const [name, raw] of Object.entries({ ...generated, ...handed })) {
      const ours = await parseMail(raw, 10_000);
      const theirs = await withMailparserText(() => parseMail(raw, 10_000));
      expect(ours, name).toEqual(theirs);
    }
  });

  it('gives a text with nothing but LF line ends where the message had CRLF, and keeps a bare CR', async () => {
    const mail = await parseMail(generated['bare CRs, CR CR LF, blank lines'] as Buffer, 10_000);
    expect(mail.text).toBe('a\rb\r\nc\n\n\n\nd\n\r\re');
  });
});

describe('utf8Text', () => {
  it("is toString('utf8') of bytes or of their start, ASCII or not", () => {
    const ascii = Buffer.from('plain ASCII\r\nwith \u0000 NUL, \u007f DEL and \t tabs\n'.repeat(100), 'latin1');
    const cases = [
      Buffer.alloc(0),
      ascii,
      Buffer.concat([ascii, Buffer.from('Grüße 漢字 😀')]),
      Buffer.concat([Buffer.from('é'), ascii]),
      Buffer.concat([ascii, Buffer.from([0xe2, 0x82]), ascii]),
      Buffer.from([0xff, 0x80, 0x61]),
    ];
    for (const b of cases) {
      expect(utf8Text(Buffer.from(b))).toBe(b.toString('utf8'));
      for (const end of [0, 1, b.length >> 1, b.length]) if (end <= b.length) expect(utf8Text(Buffer.from(b), end)).toBe(b.toString('utf8', 0, end));
    }
  });
});

describe('textWithLfLineEnds', () => {
  it('is toString().replace(/\\r?\\n/g, "\\n") on any bytes', () => {
    let seed = 11;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const pieces = [[0x0d], [0x0a], [0x0d, 0x0a], [0x61], [0xc3, 0xbc], [0xe2, 0x82], [0xff], [0x20]];
    for (let round = 0; round < 300; round++) {
      const bytes: number[] = [];
      const length = random(60);
      while (bytes.length < length) bytes.push(...(pieces[random(pieces.length)] as number[]));
      const b = Buffer.from(bytes);
      const expected = b.toString().replace(/\r?\n/g, '\n');
      expect(textWithLfLineEnds(Buffer.from(b)), JSON.stringify(bytes)).toBe(expected);
    }
  });
});
