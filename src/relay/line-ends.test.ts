import { describe, expect, it } from 'vitest';
import { hasBareLineEnd, hasBareLineEndIn, toCrlf } from './line-ends.js';

describe('toCrlf', () => {
  it.each([
    ['a\r\nb\r\n', 'a\r\nb\r\n'],
    ['a\nb\n', 'a\r\nb\r\n'],
    ['a\rb', 'a\r\nb'],
    ['a\r\n.\nb', 'a\r\n.\r\nb'],
    ['\n', '\r\n'],
    ['ä\n', 'ä\r\n'],
  ])('%j → %j', (input, output) => {
    const out = toCrlf(Buffer.from(input, 'latin1'));
    expect(out.toString('latin1')).toBe(output);
    expect(hasBareLineEnd(out)).toBe(false);
  });

  it('returns the same buffer when nothing needs fixing', () => {
    const b = Buffer.from('x\r\ny\r\n');
    expect(toCrlf(b)).toBe(b);
  });
});

describe('hasBareLineEnd', () => {
  it.each([
    ['', false],
    ['a', false],
    ['\r\n', false],
    ['a\r\nb\r\n', false],
    ['\n', true],
    ['\r', true],
    ['a\r', true],
    ['\nab', true],
    ['a\nb', true],
    ['a\rb', true],
    ['a\n\r\nb', true],
    ['a\r\rb\r\n', true],
  ])('%j: %s', (input, bare) => {
    expect(hasBareLineEnd(Buffer.from(input, 'latin1'))).toBe(bare);
  });
});

describe('hasBareLineEndIn', () => {
  it('says what hasBareLineEnd says of the joined pieces, with and without the clean pieces searched, on generated splits', () => {
    let seed = 5;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const bits = ['\r\n', '\r\n', 'ab', 'x', '\r', '\n', '\n\r', ''];
    const seen = [0, 0];
    for (let round = 0; round < 3000; round++) {
      const pieces: Buffer[] = [];
      for (let p = random(6); p >= 0; p--) {
        let s = '';
        for (let k = random(5); k >= 0; k--) s += random(6) === 0 ? bits[random(bits.length)] : (bits[random(3)] as string);
        pieces.push(Buffer.from(s, 'latin1'));
      }
      const want = hasBareLineEnd(Buffer.concat(pieces));
      seen[want ? 1 : 0] = (seen[want ? 1 : 0] as number) + 1;
      const clean = pieces.filter((p) => !hasBareLineEnd(p));
      expect(hasBareLineEndIn(pieces, []), JSON.stringify(pieces.map(String))).toBe(want);
      expect(hasBareLineEndIn(pieces, clean), JSON.stringify(pieces.map(String))).toBe(want);
    }
    expect(Math.min(...seen)).toBeGreaterThan(300);
  });
});
