import { describe, expect, it } from 'vitest';
import { textPartContent, textTransferEncoding } from './transfer-encoding.js';

/**
 * textPartContent's 7bit bytes, or null when it chose another encoding (which must be
 * textTransferEncoding's: the one reading serves both).
 */
const sevenBitText = (text: string, borrow?: (size: number) => Buffer): Buffer | null => {
  const part = textPartContent(text, borrow);
  if (part.encoding === '7bit') return part.content;
  expect(part.content).toBe(text);
  expect(part.encoding).toBe(textTransferEncoding(text));
  return null;
};

/**
 * The 7bit rule as RFC 5322 and DKIM's simple body ask it, written out independently of the module's
 * one reading (sevenBitLines): only tab, LF, CR and printable ASCII, no bare CR, every line at most
 * 998 octets and none ending in a blank.
 */
const sevenBitByRule = (text: string): boolean =>
  !/[^\t\n\r\x20-\x7e]/.test(text) && !/\r(?!\n)/.test(text) && text.split(/\r?\n/).every((line) => line.length <= 998 && !/[ \t]$/.test(line));

/** textPartContent's bytes for a text that goes as 7bit (the test's texts do). */
const sevenBitBytes = (text: string): Buffer => {
  const out = sevenBitText(text);
  if (!out) throw new Error(`not 7bit: ${JSON.stringify(text.slice(0, 60))}`);
  return out;
};

/** What textPartContent must give a 7bit text: every LF not after a CR made CRLF, one byte a character. */
const expected = (text: string): Buffer => Buffer.from(text.replace(/(?<!\r)\n/g, '\r\n'), 'latin1');

describe('textPartContent, the bytes', () => {
  it('gives the text with CRLF line ends, whatever mix of LF and CRLF lines, empty lines and ends it has', () => {
    const cases = ['', 'a', '\n', '\r\n', '\n\n\n', 'a\nb', 'a\r\nb\nc\r\n', '\nstarts with a line end', 'ends with two\n\n', 'x\r\n\n\r\n\ny'];
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
      const out = sevenBitText(text);
      // A line ending in a blank (the pieces make some) cannot go as 7bit.
      if (!sevenBitByRule(text)) {
        expect(out).toBeNull();
        continue;
      }
      expect(out?.length).toBe(expected(text).length);
      expect(out?.equals(expected(text))).toBe(true);
    }
  });
});

describe('textPartContent, a text larger than its scratch keeps (2 MiB: its CRLF bytes made where it was read)', () => {
  it('gives the same bytes as a replace, whatever mix of LF and CRLF lines, a line end or none first and last', () => {
    const line = 'The quick brown fox jumps over the lazy dog 0123456789';
    const texts = [
      `${line}\n`.repeat(60_000),
      `${line}\r\n`.repeat(50_000),
      `\n${`${line}\n${line}\r\n`.repeat(30_000)}no end`,
      `${'x'.repeat(900)}\n`.repeat(3_000) + '\n'.repeat(1_000),
      `${'b'.repeat(998)}\n`.repeat(2_200),
    ];
    for (const [i, text] of texts.entries()) {
      const out = sevenBitBytes(text);
      expect(out.length, `text ${i}`).toBe(expected(text).length);
      expect(out.equals(expected(text)), `text ${i}`).toBe(true);
    }
  });
});

describe('textPartContent', () => {
  it("gives the CRLF bytes exactly when the 7bit rule allows, textTransferEncoding then chooses 7bit, and otherwise the text with textTransferEncoding's choice, on generated texts", () => {
    let seed = 13;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    // Line ends of every kind, blanks (also at a line's end), every control, DEL, non-ASCII and a lone
    // surrogate, and long runs that make a line over 998 octets.
    const pieces = [
      '\n',
      '\r\n',
      'a',
      ' The quick\tbrown fox',
      '~',
      '\r',
      '\t',
      ' ',
      '\u0000',
      '\u0008',
      '\u000b',
      '\u000c',
      '\u001f',
      '\u007f',
      'ü',
      '€',
      '\ud800',
      'x'.repeat(500),
    ];
    const common = pieces.slice(0, 5);
    const seen = { sevenBit: 0, other: 0 };
    for (let round = 0; round < 3000; round++) {
      // Mostly texts that can go as 7bit, with now and then one piece that may stop it.
      let text = '';
      const length = round === 0 ? 1024 * 1024 : 1 + random(600);
      while (text.length < length) text += random(40) === 0 ? pieces[random(pieces.length)] : common[random(common.length)];
      const got = sevenBitText(text);
      expect(textTransferEncoding(text) === '7bit', JSON.stringify(text.slice(0, 60))).toBe(sevenBitByRule(text));
      if (sevenBitByRule(text)) {
        seen.sevenBit++;
        expect(got?.equals(expected(text)), JSON.stringify(text.slice(0, 60))).toBe(true);
      } else {
        seen.other++;
        expect(got, JSON.stringify(text.slice(0, 60))).toBeNull();
      }
    }
    expect(seen.sevenBit).toBeGreaterThan(300);
    expect(seen.other).toBeGreaterThan(300);
  });

  it('says not 7bit for a single control character, DEL, non-ASCII character, bare CR, blank line end or line of 999', () => {
    const line = 'x'.repeat(998);
    expect(sevenBitText(`${line}\n${line}`)?.toString('latin1')).toBe(`${line}\r\n${line}`);
    for (const odd of [
      ...Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).filter((c) => !'\t\n\r'.includes(c)),
      '\u007f',
      'é',
      '\rx',
      ' \n',
      '\t\n',
      `${line}x`,
    ])
      expect(sevenBitText(`ok\n${odd}\nok`), JSON.stringify(odd)).toBeNull();
    // A character beyond ASCII first (its UTF-8 form fills exactly as many bytes as the text has
    // characters, less the last one), last, or alone; and an ASCII text after each reads whole.
    for (const odd of ['é', '€', '😀', '\ud800', '\u0080'])
      for (const text of [`${odd}${'a'.repeat(70)}`, `${'a'.repeat(70)}${odd}`, odd]) {
        expect(sevenBitText(text), JSON.stringify(text)).toBeNull();
        expect(sevenBitText(`${text.length}\n${'b'.repeat(80)}`)?.toString('latin1')).toBe(`${text.length}\r\n${'b'.repeat(80)}`);
      }
  });
});

describe('textPartContent, byte by byte (an outside attack pass, round 9)', () => {
  it('chooses as textTransferEncoding for every ASCII byte, and writes every byte of a reused buffer full of LFs', () => {
    // compose.ts borrows a buffer it reuses: a byte left unwritten there would be a stale one (here
    // a bare LF, which the composed message's check no longer looks for inside a 7bit part).
    const dirty = Buffer.alloc(1 << 16);
    const borrow = (size: number) => dirty.fill(0x0a).subarray(0, size);
    let seed = 29;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const kinds = { sevenBit: 0, other: 0 };
    for (let c = 0; c < 128; c++) {
      const ch = String.fromCharCode(c);
      for (const text of [`a\n${ch}\r\nb\n`, `${ch}\n`, `\n${ch}`, `x${ch}`, ch]) {
        const want = textTransferEncoding(text) === '7bit';
        kinds[want ? 'sevenBit' : 'other']++;
        expect(sevenBitText(text, borrow)?.toString('latin1') ?? null, JSON.stringify(text)).toBe(want ? expected(text).toString('latin1') : null);
      }
    }
    for (let round = 0; round < 2000; round++) {
      let text = '';
      for (let k = 1 + random(200); k > 0; k--)
        text += random(30) === 0 ? String.fromCharCode(random(128)) : random(6) === 0 ? ['\n', '\r\n', '\n\n'][random(3)] : 'ab .~';
      const want = textTransferEncoding(text) === '7bit';
      kinds[want ? 'sevenBit' : 'other']++;
      expect(sevenBitText(text, borrow)?.toString('latin1') ?? null, JSON.stringify(text)).toBe(want ? expected(text).toString('latin1') : null);
    }
    expect(Math.min(kinds.sevenBit, kinds.other)).toBeGreaterThan(300);
  });
});

describe('textPartContent, the other encodings', () => {
  it.each([
    ['a bare CR in ASCII', 'base64', 'a\rb'],
    ['a bare CR in non-ASCII text', 'base64', 'Grüße\rund mehr'],
    ['a bare CR after a line too long for 7bit', 'base64', `${'x'.repeat(999)}\n\r`],
    ['accented prose', 'quoted-printable', 'Grüße aus München, wir haben Ihre Bestellung erhalten.\n'],
    ['a line of 999', 'quoted-printable', 'x'.repeat(999)],
    ['a blank line end', 'quoted-printable', 'ok \nok'],
    ['CJK', 'base64', '東京の店舗から注文番号を発送しました。\n'],
    ['a text over LARGE_TEXT', 'base64', 'é'.repeat(128 * 1024 + 1)],
  ])('gives %s as %s, the text itself as content', (_, encoding, text) => {
    const part = textPartContent(text);
    expect(part).toEqual({ content: text, encoding });
    expect(textTransferEncoding(text)).toBe(encoding);
  });
});
