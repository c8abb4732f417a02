import { describe, expect, it } from 'vitest';
import { sevenBitBytes } from './transfer-encoding.js';

/** What sevenBitBytes must give: every LF not after a CR made CRLF, one byte a character. */
const expected = (text: string): Buffer => Buffer.from(text.replace(/(?<!\r)\n/g, '\r\n'), 'latin1');

describe('sevenBitBytes', () => {
  it('gives the text with CRLF line ends, whatever mix of LF and CRLF lines, empty lines and ends it has', () => {
    const cases = ['', 'a', '\n', '\r\n', '\n\n\n', 'a\nb', 'a\r\nb\nc\r\n', '\nstarts with a line end', 'ends with two\n\n', 'x\r\n\n\r\n\ny', 'a\rb\n'];
    for (const text of cases) expect(sevenBitBytes(text).toString('latin1'), JSON.stringify(text)).toBe(expected(text).toString('latin1'));
  });

  it('gives the same bytes as a replace on generated texts of every line length and mix, a MiB long among them', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const pieces = ['\n', '\r\n', 'a', 'The quick brown fox ', '\t', ' ', '~'];
    for (let round = 0; round < 200; round++) {
      let text = '';
      const length = round === 0 ? 1024 * 1024 : random(400);
      while (text.length < length) text += pieces[random(pieces.length)];
      const out = sevenBitBytes(text);
      expect(out.length).toBe(expected(text).length);
      expect(out.equals(expected(text))).toBe(true);
    }
  });
});
