// base64Lines writes what nodemailer's encoder writes for the same text, whatever falls at the
// edge of a piece: a character of 2, 3 or 4 bytes, a lone surrogate, the text's end on any byte.
import { describe, expect, it } from 'vitest';
import { encode, wrap } from 'nodemailer/lib/base64';
import { base64Lines } from './base64-text.js';

const nodemailers = (text: string): Buffer => Buffer.from(wrap(encode(text), 76), 'latin1');

describe('base64Lines', () => {
  const texts: [string, string][] = [
    ['empty', ''],
    ['one character', 'a'],
    ['one line exactly (57 bytes)', 'x'.repeat(57)],
    ['one line and a byte', 'x'.repeat(58)],
    ['accents', 'Grüße aus München, été\n'.repeat(300)],
    ['CJK', '吾輩は猫である。名前はまだ無い。\n'.repeat(200)],
    ['emoji (surrogate pairs)', 'ok 😀 fine 🎉\r\n'.repeat(250)],
    ['lone surrogates', 'a\ud800b\udc00c' + 'x'.repeat(500) + '\ud83d'],
    ['a bare CR', 'a\rb\r\n'.repeat(100)],
  ];
  for (const [name, text] of texts) {
    it(`gives nodemailer's bytes for ${name}`, () => {
      expect(base64Lines(text).equals(nodemailers(text))).toBe(true);
    });
  }

  it("gives nodemailer's bytes whatever character falls at a piece's edge (pieces of 114 bytes)", () => {
    for (const ch of ['é', '東', '😀', '\ud800']) {
      for (let lead = 0; lead < 12; lead++) {
        const text = 'x'.repeat(lead) + ch.repeat(150) + 'y'.repeat(lead * 7);
        expect(base64Lines(text, 114).equals(nodemailers(text)), `${JSON.stringify(ch)} after ${lead}`).toBe(true);
      }
    }
  });

  it("gives nodemailer's bytes for a text of a few pieces (a MiB of accented prose)", () => {
    const text = 'Le thé est prêt, la réunion commence à 10 h.\n'.repeat(24_000);
    expect(base64Lines(text).equals(nodemailers(text))).toBe(true);
  });
});
