import { describe, expect, it } from 'vitest';
import { fold as referenceFold } from '../../../test/helpers/fold-reference.js';
import { writerSpans, type MaskTarget } from '../body-scrub.js';
import { compileBannedWords } from '../filters/banned-words.js';
import { filterReading, type ReaderRules } from '../filters/reader-filters.js';
import { foldPlainAscii } from './fold-ascii.js';
import { fold, foldEachCharacter, type Folded } from './fold.js';
import { random } from '../../../test/helpers/seeded-random.js';

// fold() reads a long plain-ASCII text without `%` or `&` natively (fold-ascii.ts) and every other
// text character by character (foldEachCharacter). Both must give the same folded text, the same
// source index for every folded character, and so the same masking.

/** The first difference between the two readings (and the reference's), or null when none. */
function difference(src: string): string | null {
  const got = fold(src);
  const each = foldEachCharacter(src, false, false);
  const ref = referenceFold(src, false, false);
  if (got.text !== each.text || got.text !== ref.text) {
    let k = 0;
    while (got.text[k] === each.text[k]) k++;
    return `text differs at ${k}: ${JSON.stringify(got.text.slice(k, k + 20))} ≠ ${JSON.stringify(each.text.slice(k, k + 20))}`;
  }
  for (let k = 0; k <= each.text.length; k++) {
    if (got.at(k) !== each.at(k) || got.at(k) !== ref.map[k]) return `at(${k}) = ${got.at(k)} ≠ ${each.at(k)} (reference ${ref.map[k]})`;
  }
  return null;
}

// Plain ASCII only, no `%` or `&`: what the native reading takes.
const ASCII_PIECES: readonly string[] = [
  'the', 'Quick', 'BROWN', 'fox', 'x', 'Q', '42', '.', ',', ';', ':', '-', '_', '"', "'", '(', ')', '<', '>', '<b>', '/', '\\', '=', '?', '#', '!', '@',
  ' ', ' ', ' ', '  ', '   ', '\t', '\n', '\n', '\n\n', '\r\n', '\r', '\v', '\f', ' \n', '\n ', ' \t \r\n ', '\n\n\n',
  'Jane Doe', 'jane doe', 'JANE  DOE', 'Jane\nDoe', 'Jane \n Doe', 'Doe, Jane', 'DOE,JANE', 'Doe;Jane', 'Jane\tDoe',
  'jane@buyer.example', 'JANE@BUYER.EXAMPLE', 'Jane Doe <jane@buyer.example>', '"Jane Doe" <Jane@Buyer.Example>', 'mailto:jane@buyer.example',
  'bob@other.example', 'https://evil.example/a?b=c', 'www.shop.example', 'HTTP://Shop.Example/x', 'buy cheap pills', 'CHEAP  Pills',
]; // prettier-ignore

function generated(next: () => number, length: number): string {
  let s = '';
  while (s.length < length) s += ASCII_PIECES[Math.floor(next() * ASCII_PIECES.length)] as string;
  return s;
}

describe('the native fold of plain ASCII', () => {
  it('reads 600 generated ASCII texts (capitals, every whitespace and its runs, controls, names and addresses split by line ends) as the loop does', () => {
    const next = random(20261130);
    for (let round = 0; round < 600; round++) {
      const src = generated(next, 256 + Math.floor(next() * 3000));
      expect(
        foldPlainAscii(src, (n) => new Uint8Array(n)),
        JSON.stringify(src.slice(0, 40)),
      ).not.toBeNull();
      expect(difference(src), JSON.stringify(src)).toBeNull();
    }
  });

  it('reads texts that start or end in whitespace, are all whitespace, or hold one long run, as the loop does', () => {
    const body = 'Hello Jane Doe, write to jane@buyer.example.\n'.repeat(10);
    const cases = [
      ` ${body}`,
      `\n\n \t${body}`,
      `${body} `,
      `${body}\n\n\n`,
      `  ${body}  `,
      ' '.repeat(300),
      '\n'.repeat(300),
      ' \t\r\n\v\f'.repeat(60),
      `${body}${' \n'.repeat(200)}${body}`,
      `x${' '.repeat(1000)}y`,
      'A'.repeat(300),
    ];
    for (const src of cases) {
      expect(foldPlainAscii(src, (n) => new Uint8Array(n))).not.toBeNull();
      expect(difference(src), JSON.stringify(src.slice(0, 40))).toBeNull();
    }
  });

  it('leaves a text with %, & or any character beyond ASCII to the loop, which reads it as before', () => {
    const body = 'Hello Jane Doe, write to jane@buyer.example.\n'.repeat(10);
    // Control characters (read as nothing) too: `\u0000`.repeat(300), NUL, BS, SO, US, DEL.
    for (const odd of [
      '%',
      '%40',
      '&',
      '&#64;',
      'é',
      'e\u0301',
      '\u00a0',
      '＠',
      '\u200b',
      'ß',
      'İ',
      '😀',
      '\ud800',
      '\u0000'.repeat(300),
      '\u0000',
      '\u0008',
      '\u000e',
      '\u001f',
      '\u007f',
    ]) {
      // In the middle, first and last: first, its UTF-8 form fills exactly as many bytes as the
      // text has characters, less the last one.
      for (const src of [`${body}${odd}${body}`, `${odd}${body}`, `${body}${odd}`]) {
        expect(
          foldPlainAscii(src, (n) => new Uint8Array(n)),
          JSON.stringify(odd),
        ).toBeNull();
        expect(difference(src), JSON.stringify(odd)).toBeNull();
      }
    }
  });

  it('masks the writer and filters addresses, links and banned words the same on either reading', () => {
    const hide: MaskTarget = { addresses: ['jane@buyer.example'], names: ['Jane Doe'], fullNames: ['Jane Doe'] };
    const repl = { address: 'tok@relay.test', name: 'Buyer' };
    const rules: ReaderRules = {
      keepEmailDomains: ['relay.test'],
      linkAllowList: ['shop.example'],
      banned: compileBannedWords(['cheap pills']),
    };
    const next = random(7);
    for (let round = 0; round < 200; round++) {
      const src = generated(next, 256 + Math.floor(next() * 2000));
      const run = (f: Folded) => filterReading(src, false, rules, (g) => writerSpans(src, g, hide, repl, false), f);
      const native = run(fold(src));
      expect(native).toEqual(run(foldEachCharacter(src, false, false)));
      if (round === 0) expect(native.counts.writer + native.counts.email + native.counts.link + native.counts.banned).toBeGreaterThan(0);
    }
  });
});

describe('the native fold, byte by byte (an outside attack pass, round 9)', () => {
  // Every ASCII byte it takes, in each of the four places of a word it reads four at a time (the
  // bounds of its capital and whitespace tests: @ A Z [ ` a z { and BS TAB CR SO), and every ordered
  // pair of them side by side at each offset, so a byte never changes how its neighbour reads.
  const taken = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c)).filter((c) => c !== '%' && c !== '&' && !/[\0-\x08\x0e-\x1f\x7f]/.test(c));

  it('reads every byte in every place of a word as the loop does', () => {
    for (const c of taken)
      for (let lane = 0; lane < 8; lane++) {
        const src = `${'Ab'.repeat(128)}${'x'.repeat(lane)}${c}${c}y${c}`;
        expect(foldPlainAscii(src, (n) => new Uint8Array(n))).not.toBeNull();
        expect(difference(src), JSON.stringify([c, lane])).toBeNull();
      }
  });

  it('reads every ordered pair of bytes side by side, at each offset, as the loop does', () => {
    let pairs = '';
    for (const a of taken) for (const b of taken) pairs += a + b;
    for (let offset = 0; offset < 4; offset++) {
      const src = `${'Q'.repeat(256 + offset)}${pairs}`;
      expect(foldPlainAscii(src, (n) => new Uint8Array(n))).not.toBeNull();
      expect(difference(src), `offset ${offset}`).toBeNull();
    }
  });

  it('finds every whitespace run, of each length, starting at each place of a word and ending in the last bytes, as the loop does', () => {
    // The runs are found by the same pass over the bytes, four at a time: a run may start or end
    // in any of a word's four places, span words, or sit in the last one to three bytes.
    const blanks = [' ', '\t', '\n', '\r\n', '\v', '\f'];
    for (let length = 2; length <= 9; length++)
      for (let offset = 0; offset < 8; offset++)
        for (const tail of [0, 1, 2, 3]) {
          const run = Array.from({ length }, (_, i) => blanks[(i + offset) % blanks.length]).join('');
          const src = `${'Ab'.repeat(128)}${'x'.repeat(offset)}${run}Jane${run}Doe${'y'.repeat(tail)}${run.slice(0, tail + 1)}`;
          expect(
            foldPlainAscii(src, (n) => new Uint8Array(n)),
            JSON.stringify([length, offset, tail]),
          ).not.toBeNull();
          expect(difference(src), JSON.stringify([length, offset, tail])).toBeNull();
        }
  });

  it('reads a text larger than the scratch it keeps (2 MiB) as the loop does, and the next smaller one too', () => {
    const block = 'Dear JANE  DOE,\r\n\tplease write to Jane.Doe@Buyer.Example \v\f or call.\n\n';
    const big = block.repeat(Math.ceil((2 * 1024 * 1024 + 5) / block.length));
    expect(fold(big).text).toBe(foldEachCharacter(big, false, false).text);
    for (const src of [big.slice(0, 300_001), big.slice(3, 70_003).toUpperCase()]) expect(difference(src), String(src.length)).toBeNull();
  });
});

describe('a text with whitespace runs closer than the native reading pays for', () => {
  // ~110 ns a run against the loop's ~3.5 ns a character: `a  ` repeated took 6x the loop's time,
  // indented code and tables 3x. Such a text goes to the loop once 1024 runs show it (RUN_SPACING).
  const borrow = (n: number) => new Uint8Array(n);

  it('goes to the loop when runs come every few characters, from the start or after a long sparse part, and reads the same', () => {
    const prose = 'The quick brown fox jumps over the lazy dog while Jane Doe waits\n'.repeat(2000);
    for (const src of ['a  '.repeat(5000), '    if (x) {\n        y();\n    }\n'.repeat(1000), `${prose}${'Item    Qty   '.repeat(20_000)}`]) {
      expect(foldPlainAscii(src, borrow), JSON.stringify(src.slice(-40))).toBeNull();
      expect(difference(src), JSON.stringify(src.slice(-40))).toBeNull();
    }
  });

  it('keeps the native reading for runs sparser than that, and for a dense text too short to judge', () => {
    for (const src of [`${'x'.repeat(48)}  `.repeat(3000), 'a  '.repeat(1000), `${'Hello Jane Doe,\n\n'.repeat(40)}`]) {
      expect(foldPlainAscii(src, borrow), JSON.stringify(src.slice(0, 40))).not.toBeNull();
      expect(difference(src), JSON.stringify(src.slice(0, 40))).toBeNull();
    }
  });
});
