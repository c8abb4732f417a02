import { describe, expect, it } from 'vitest';
import { fold as referenceFold } from '../../../test/helpers/fold-reference.js';
import { fold } from './fold.js';
import { random } from '../../../test/helpers/seeded-random.js';

// The fold reads runs of unchanged characters whole and keeps its source map as segments; the
// reference (test/helpers/fold-reference.ts) is the fold as it was, one character at a time with a
// full map. Both must give the same text and the same source index for every folded character.

const MODES = [
  { html: false, plain: false },
  { html: true, plain: false },
  { html: false, plain: true },
  { html: true, plain: true },
] as const;

/** The first folded index where the two readings differ, with both sides, or null when none does. */
function difference(src: string, html: boolean, plain: boolean): string | null {
  const want = referenceFold(src, html, plain);
  const got = fold(src, html, plain);
  if (got.text !== want.text) {
    let k = 0;
    while (got.text[k] === want.text[k]) k++;
    return `text differs at ${k}: ${JSON.stringify(got.text.slice(k, k + 20))} ≠ ${JSON.stringify(want.text.slice(k, k + 20))}`;
  }
  for (let k = 0; k <= want.text.length; k++) if (got.at(k) !== want.map[k]) return `at(${k}) = ${got.at(k)} ≠ ${want.map[k]}`;
  return null;
}

const PIECES: readonly string[] = [
  // ASCII words, capitals, digits, punctuation, controls
  'john', 'Smith', 'ACME', 'jane.doe', 'Example', 'x', 'Q', '42', '.', ',', ';', ':', '-', '_', '"', "'", '(', ')', '/', '\\', '=', '?', '#', '!', '\u0000', '\u0001', '\u001f', '\u007f',
  // whitespace of every kind
  ' ', ' ', '  ', '\t', '\n', '\r\n', '\r', '\v', '\f', '\u00a0', '\u2003', '\u3000', '\u2028', '\u202f', '\u1680', ' \t ',
  // addresses and their disguises
  '@', 'john@acme.example', 'bob@münchen.example', '＠', '\ufe6b', 'https://shop.example/a?b=c', 'www.evil.example',
  // entities: named, numeric, HTML5, invalid, unterminated
  '&amp;', '&AMP;', '&lt;', '&gt;', '&quot;', '&nbsp;', '&commat;', '&period;', '&shy;', '&zwj;', '&#64;', '&#x40;', '&#X41;', '&#9;', '&#10;', '&#32;',
  '&Eacute;', '&eacute;', '&hellip;', '&CounterClockwiseContourIntegral;', '&foo;', '&#;', '&#xzz;', '&', '&amp', '&lt', '&gt', '&ltx;', '&g;', '&amp;amp;', '&ampx;', '& ', '&#1234567;', '&#x110000;', '&#128512;',
  // percent-escapes: ASCII, UTF-8, broken, space, tab
  '%40', '%4', '%', '%ZZ', '%20', '%09', '%C3%A9', '%c3%a9', '%E2%80%8B', '%F0%9F%98%80', '%C3', '%C3%41', '%FF', '%C0%80', '%F4%90%80%80', '%ED%A0%BD', '%ED%B8%80',
  // escapes inside escapes: percent in percent, entity in percent and the other way, to any depth, broken
  '%25', '%2540', '%252540', '%25252540', '%25C3%25A9', '%2525', '%25%', '%26', '%26%2364;', '%26amp;', '&#37;', '&#37;40', '&percnt;40', '&#38;', '&amp;#64;', '&amp;amp;#x40;', '&#38;#', '%2', '%25Z',
  // escapes whose own characters are escaped (after a plain % or &, or deeper than the escape before them)
  '%%34%30', '%4%30', '&&#35;64;', '&#%36%34;', '%C3%%41%39', '%2526%252364%253B', '%252526%25252364%25253B', '&%2523x40;', '%%2534%2530',
  // tags and comments
  '<b>', '</b>', '<br>', '<br/>', '<P>', '</div>', '<span class="x">', '<a href="mailto:x@y.example">', '<!-- note -->', '<!--', '-->', '<', '< ', '<3', '>', '<!doctype html>', '<?xml?>', '<tablexyz>', '<img alt="a@b">', "<img src=x alt='&#64;&amp;'>", '<img alt=Ab>', '<IMG ALT = " x ">', '<img alt="">',
  // accents, NFD, special case mappings
  'é', 'e\u0301', 'É', 'ß', 'ẞ', 'İ', 'ı', 'Σ', 'ΟΔΟΣ', 'ς', 'Ⅻ', 'ǅ', 'ﬃ', '㎒', '½', 'Å', 'Å', 'ñ', 'Ø', 'œ', 'Ǆ', 'ŉ',
  // invisible and ignorable characters
  '\u200b', '\u200c', '\u200d', '\u00ad', '\ufeff', '\u2060', '\u180e', '\u034f', '\u115f', '\ufe0f', '\u{e0041}', '\u202e', '\u2066',
  // other scripts, fullwidth, look-alikes
  '東京', 'の', 'が', 'ガ', '한국어', 'ｈｔｔｐ', 'ＡＢＣ', 'сheap', 'Привет', 'مرحبا', 'שלום', 'ελληνικά', 'ไทย', 'हिन्दी',
  // surrogate pairs and lone surrogates
  '😀', '👍🏽', '𝐀', '𝒜', '\u{20000}', '\ud800', '\udc00', '\ud83d',
]; // prettier-ignore

function generated(next: () => number, length: number): string {
  let s = '';
  while (s.length < length) {
    const p = PIECES[Math.floor(next() * PIECES.length)] as string;
    // Sometimes glue pieces directly, sometimes with a plain-ASCII run in between.
    s += next() < 0.3 ? `${p}Run of Plain text ` : p;
  }
  return s;
}

describe('fold, compared with the character-at-a-time reference', () => {
  it('reads 4 000 generated mixes (ASCII, whitespace kinds, @, entities, escapes, tags, accents, invisible characters, surrogates) the same in every mode', () => {
    const next = random(20261130);
    for (let round = 0; round < 1000; round++) {
      const src = generated(next, 1 + Math.floor(next() * 300));
      for (const { html, plain } of MODES) expect(difference(src, html, plain), `${JSON.stringify(src)} html=${html} plain=${plain}`).toBeNull();
    }
  });

  it('reads every character of the Basic Multilingual Plane (and samples of the others) the same, alone, in runs and beside capitals and spaces', () => {
    const ranges: [number, number][] = [[0, 0x10000], [0x1f300, 0x1f700], [0x1d400, 0x1d800], [0x20000, 0x20100], [0xe0000, 0xe0080], [0xf0000, 0xf0010]]; // prettier-ignore
    for (const [from, to] of ranges) {
      for (let block = from; block < to; block += 256) {
        const chars: string[] = [];
        for (let c = block; c < Math.min(block + 256, to); c++) chars.push(String.fromCodePoint(c));
        for (const src of [chars.join(''), chars.join(' A'), `Σ${chars.join('Σ')}Σ`, chars.join('\r\n')])
          for (const { html, plain } of MODES) expect(difference(src, html, plain), `block ${block.toString(16)} html=${html} plain=${plain}`).toBeNull();
      }
    }
  });

  it('reads hostile texts the same: long runs of @, &amp;, %40, %25, &#37;, <, & with no ;, <a with no >, one long line, many short lines', () => {
    const hostile = [
      '@'.repeat(20_000),
      '&amp;'.repeat(4_000),
      '&lt;&gt;'.repeat(4_000),
      '%40'.repeat(7_000),
      '<'.repeat(20_000),
      '&'.repeat(20_000),
      `${'&x'.repeat(10_000)};`,
      '<a'.repeat(10_000),
      `${'<a'.repeat(5_000)}>`,
      '<!--'.repeat(5_000),
      'word '.repeat(10_000),
      'ok\r\n'.repeat(5_000),
      ' \t\r\n\u00a0'.repeat(4_000),
      '&nbsp; &nbsp;%20 %20\u00a0 '.repeat(1_000),
      '%25'.repeat(7_000),
      '%2525'.repeat(4_000),
      `${'&amp;'.repeat(4_000)}#64;`,
      `${'&amp;abcdefghijklmnopqrstuvwxyz0123'.repeat(600)};`,
      '&#37;'.repeat(4_000),
      '%26'.repeat(7_000),
    ];
    for (const src of hostile)
      for (const { html, plain } of MODES) expect(difference(src, html, plain), `${src.slice(0, 20)}… html=${html} plain=${plain}`).toBeNull();
  });

  it('maps a folded span back to the source span it came from', () => {
    const src = 'Write to JOHN&#46;Smith%40Acme.example\r\n\r\nnow';
    const f = fold(src);
    expect(f.text).toBe('write to john.smith@acme.example now');
    const s = f.text.indexOf('john');
    const e = s + 'john.smith@acme.example'.length;
    expect(src.slice(f.at(s), f.at(e))).toBe('JOHN&#46;Smith%40Acme.example');
    expect(f.at(f.text.length)).toBe(src.length);
  });

  it('reads escapes inside escapes as a program that unescapes twice does, and maps them to their source', () => {
    for (const [src, want] of [
      ['a%2540b', 'a@b'],
      ['a%25252540b', 'a@b'],
      ['a&#37;40b', 'a@b'],
      ['a%26%2364;b', 'a@b'],
      ['a&amp;#64;b', 'a@b'],
      ['a&amp;amp;#x40;b', 'a@b'],
      ['caf%25C3%25A9', 'cafe'],
      ['100%25 sure', '100% sure'],
      ['AT&amp;T', 'at&t'],
      ['%2525', '%'],
      // The escape's own characters escaped: a second (third) reading decodes them first.
      ['a%%34%30b', 'a@b'],
      ['a%4%30b', 'a@b'],
      ['a&&#35;64;b', 'a@b'],
      ['a&#%36%34;b', 'a@b'],
      ['a%2526%252364%253Bb', 'a@b'],
      ['a%252526%25252364%25253Bb', 'a@b'],
      ['caf%C3%%41%39', 'cafe'],
      ['100% sure, R&D, AT&T, 50%%', '100% sure, r&d, at&t, 50%%'],
    ] as const) {
      const f = fold(src);
      expect([src, f.text]).toEqual([src, want]);
      const s = f.text.indexOf('@');
      if (s >= 0) expect(src.slice(f.at(s), f.at(s + 1))).toMatch(/^(%|&)/);
    }
  });
});
