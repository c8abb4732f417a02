import { describe, expect, it } from 'vitest';
import { hasBareLineEnd, toCrlf } from './line-ends.js';

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
