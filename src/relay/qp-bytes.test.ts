import { describe, expect, it } from 'vitest';
import { parseMail } from './parse.js';
import { PIECE, QP_STEP, decodeQuotedPrintable, libqp, replaced, withLibqp } from './qp-bytes.js';

let seed = 77;
const R = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % n;
};

/** Hostile quoted-printable: escapes in both cases and broken ones, soft breaks of every kind (also at the end and between an escape's digits), blanks before line ends, bare CRs, 8-bit bytes. */
const atoms = [
  'a',
  'Z',
  ' ',
  '\t',
  '=',
  '=3D',
  '=c3=bc',
  '=C3=BC',
  '=4',
  '=G1',
  '=\r\n',
  '=\n',
  '=\r',
  '\r\n',
  '\n',
  '\r',
  ' \r\n',
  '\t \n',
  '= \r\n',
  '=\t\n',
  'A',
  'f',
  '0',
  '\xff',
  '\x80',
  '=\r\n=',
  '==\n41',
  '=4=\r\n1',
  '=\n=\n',
];
function hostile(n: number): Buffer {
  let s = '';
  while (s.length < n) s += atoms[R(atoms.length)];
  return Buffer.from(s, 'latin1');
}

/** Decodes `input` arriving in random chunks of up to `most` bytes, in steps at random chunks (as a long part is), and expects libqp's bytes. */
function expectSteppedAsLibqp(input: Buffer, most: number): void {
  if (!libqp) throw new Error('libqp not found');
  const out: Buffer[] = [];
  let held: Buffer[] = [];
  for (let at = 0; at < input.length;) {
    const next = Math.min(input.length, at + 1 + R(most));
    held.push(input.subarray(at, next));
    at = next;
    if (R(3) === 0) {
      const rest = decodeQuotedPrintable(held, (p) => out.push(p), false);
      held = rest ? [rest] : [];
    }
  }
  decodeQuotedPrintable(held, (p) => out.push(p));
  expect(Buffer.concat(out).equals(libqp.decode(input)), JSON.stringify(input.toString('latin1').slice(0, 200))).toBe(true);
}

/** Writes `input` to the splitter's (changed) libqp Decoder in 64 KiB writes: the bytes it holds never exceed `bound`, and it decodes as libqp does. */
function expectHeldAsLibqp(input: Buffer, bound: number): void {
  if (!libqp) throw new Error('libqp not found');
  const decoder = new (libqp.Decoder as unknown as new () => import('node:stream').Transform & { bytes?: Buffer[] })();
  const out: Buffer[] = [];
  decoder.on('data', (p: Buffer) => out.push(p));
  let most = 0;
  for (let at = 0; at < input.length; at += 65_536) {
    decoder.write(input.subarray(at, at + 65_536));
    most = Math.max(
      most,
      (decoder.bytes ?? []).reduce((n, b) => n + b.length, 0),
    );
  }
  decoder.end();
  expect(most).toBeLessThanOrEqual(bound);
  expect(Buffer.concat(out).equals(libqp.decode(input))).toBe(true);
}

const decode = (chunks: Buffer[]) => {
  const out: Buffer[] = [];
  decodeQuotedPrintable(chunks, (p) => out.push(p));
  for (const p of out) expect(p.length).toBeLessThanOrEqual(PIECE);
  return Buffer.concat(out);
};

describe("libqp's decoder, over bytes", () => {
  it('is in place (the splitter still loads the decoder it changes)', () => {
    expect(replaced).toBe(true);
  });

  it("gives libqp's bytes for hostile input of every size, in one chunk or many", () => {
    if (!libqp) throw new Error('libqp not found');
    for (let round = 0; round < 3000; round++) {
      const input = hostile(round < 2900 ? R(40) : 70_000 + R(200_000));
      const theirs = libqp.decode(input);
      expect(decode([input]).equals(theirs), JSON.stringify(input.toString('latin1').slice(0, 200))).toBe(true);
      const cut = R(input.length + 1);
      expect(decode([input.subarray(0, cut), input.subarray(cut)]).equals(theirs)).toBe(true);
    }
    // ends: blanks, a lone `=`, an escape cut short
    for (const s of ['', ' ', '=', '= ', 'a=', 'a=4', 'a=41', ' \t', 'x \t', '=\r', '=\r\n', '=4\n1', 'abc \r\n \t\r\n'])
      expect(decode([Buffer.from(s, 'latin1')]).equals(libqp.decode(Buffer.from(s, 'latin1'))), JSON.stringify(s)).toBe(true);
  });

  it("gives libqp's bytes when decoded in steps up to a line break it may be cut at, as a long part is (QP_STEP)", () => {
    if (!libqp) throw new Error('libqp not found');
    for (let round = 0; round < 400; round++) {
      const input = hostile(round < 300 ? R(400) : 50_000 + R(100_000));
      expectSteppedAsLibqp(input, round < 300 ? 60 : 9000);
    }
  });

  it("gives libqp's bytes when a part with no line end (or few) is decoded in steps cut within its lines", () => {
    if (!libqp) throw new Error('libqp not found');
    const noLineEnd = atoms.filter((a) => !a.includes('\n'));
    for (let round = 0; round < 400; round++) {
      let s = '';
      const n = round < 300 ? R(400) : 20_000 + R(40_000);
      while (s.length < n) s += noLineEnd[R(noLineEnd.length)];
      const input = Buffer.from(s, 'latin1');
      expectSteppedAsLibqp(input, round < 300 ? 60 : 9000);
    }
  });

  it('holds a long part to about QP_STEP while it arrives, not whole, and decodes it as libqp does', () => {
    if (!libqp) throw new Error('libqp not found');
    const line = Buffer.from('Gr=C3=BC=C3=9Fe aus M=C3=BCnchen, a line of a long quoted-printable part =\r\nand its end\r\n', 'latin1');
    const input = Buffer.concat(Array.from({ length: Math.ceil((10 * 1024 * 1024) / line.length) }, () => line));
    expectHeldAsLibqp(input, QP_STEP + 65_536);
  });

  it('holds a long part with no hard line break (a paragraph, or minified HTML, wrapped only by soft breaks) to about QP_STEP too, and decodes it as libqp does', () => {
    if (!libqp) throw new Error('libqp not found');
    // As encoders write one long line: soft breaks every 73 characters, escapes next to them and across them.
    const text = 'Gr=C3=BC=C3=9Fe aus M=C3=BCnchen =3D a long paragraph, =\r\nwritten =E2=\r\n=82=AC and =4=\r\n1 without a line end, ';
    const soft = (n: number) => Buffer.from(text.repeat(Math.ceil(n / text.length)), 'latin1');
    const none = (n: number) => Buffer.from('=C3=BCx'.repeat(Math.ceil(n / 7)), 'latin1');
    for (const [input, bound] of [
      [soft(10 * 1024 * 1024), QP_STEP + 65_536],
      // no line end at all: cut within the line, held to about QP_STEP as well
      [none(6 * 1024 * 1024), QP_STEP + 65_536],
    ] as const) {
      expectHeldAsLibqp(input, bound);
    }
  }, 60_000);

  it('holds no more memory than the bytes of a part: a part of a few bytes is not given a 64 KiB piece', () => {
    // 1000 tiny quoted-printable parts (a 60 KB message) must not make 64 MiB of pieces.
    for (const s of ['a', '=41', 'jane=40buyer.example', hostile(300).toString('latin1'), hostile(70_000).toString('latin1')]) {
      const input = Buffer.from(s, 'latin1');
      const pieces: Buffer[] = [];
      decodeQuotedPrintable([input], (p) => pieces.push(p));
      expect(Buffer.concat(pieces).equals(libqp?.decode(input) ?? Buffer.alloc(0))).toBe(true);
      const held = pieces.reduce((n, p) => n + p.buffer.byteLength, 0);
      expect([s.length, held <= input.length]).toEqual([s.length, true]);
    }
  });

  it('reads quoted-printable texts and attachments in parsed mail as libqp does', async () => {
    const head = 'From: Jane <jane@buyer.example>\r\nTo: x@relay.test\r\nSubject: s\r\nMIME-Version: 1.0\r\n';
    const umlauts = Buffer.from('Grüße aus München, 日本語 und flüsse: die Bücher über Äpfel 0123456789 ', 'utf8').toString('latin1');
    const qp = umlauts
      .replace(/[=\x80-\xff]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase()}`)
      .repeat(20_000)
      .replace(/.{73}/g, '$&=\r\n');
    const messages = [
      `${head}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qp}`,
      `${head}Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qp.slice(0, 300_000)}  \r\n` +
        `--b\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>${hostile(100_000).toString('latin1')}</p>\r\n--b\r\n` +
        `Content-Type: text/csv; name=a.csv\r\nContent-Disposition: attachment; filename=a.csv\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${hostile(200_000).toString('latin1')}\r\n--b--\r\n`,
    ].map((m) => Buffer.from(m, 'latin1'));
    for (const raw of messages) {
      const theirs = await withLibqp(() => parseMail(raw, 60_000));
      const ours = await parseMail(raw, 60_000);
      expect(ours).toEqual(theirs);
    }
  }, 60_000);
});
