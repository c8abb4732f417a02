// Round-14 attack: spellings that crossed until round 15, sent through the gateway in a text and an
// HTML part (and a Word document): the writer's become the alias, anyone else's are removed.
// - Other languages' words for `@` and `.` bare, not in brackets (`anna.weber at buyer punkt
//   example`: the writer's own; `bob.stone arroba shopmail punto es`): read after a local part
//   shaped like a mailbox (letters joined by `.`, `_`, `+`), found by the search for those marks.
// - A mailbox-like local part, a bare ` at ` (or `"at"`) and a real dot (`bob.stone at gmail.com`);
//   `order 12345 at amazon.de`, `I bought it at amazon.de`, `v2.0 at example.com` stay.
// - An address written letter by letter with blanks around a real `@` (`a n n a . w e b e r @ …`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { deliveredLines, keptFiles, startMaskingPair } from '../helpers/tagged-send.js';
import { textDocx } from '../fixtures/word-fields.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

/** Each line sent in a text and an HTML part (one message each), as delivered: [text, html]. */
const delivered = (lines: readonly string[]): Promise<[string, string][]> => deliveredLines(h, alias, lines);

describe('spellings that crossed (round-14 attack, read in round 15)', () => {
  it('are masked (the writer’s) or removed (anyone else’s) in text and HTML', async () => {
    const rows: [string, RegExp, 'alias' | 'removed'][] = [
      ['anna.weber at buyer punkt example', /weber|buyer/i, 'alias'],
      ['bob.stone arroba shopmail punto es', /stone|shopmail/i, 'removed'],
      ['bob.stone at gmail.com', /stone|gmail/i, 'removed'],
      ['a n n a . w e b e r @ b u y e r . e x a m p l e', /w e b e r|b u y e r/i, 'alias'],
      // The same kinds: more languages' words, other marks, quotes, two blanks between letters.
      ['anna.weber arobase buyer point example', /weber|buyer/i, 'alias'],
      ['ANNA.WEBER KLAMMERAFFE BUYER PUNKT EXAMPLE', /weber|buyer/i, 'alias'],
      ['bob_stone małpa shopmail kropka pl', /stone|shopmail/i, 'removed'],
      ['bob.stone chiocciola shopmail punto it', /stone|shopmail/i, 'removed'],
      ['bob.stone apenstaartje shopmail punt nl', /stone|shopmail/i, 'removed'],
      ['bob.stone at shopmail ponto pt', /stone|shopmail/i, 'removed'],
      ['bob+shop arroba shopmail.es', /bob|shopmail/i, 'removed'],
      ['Bob.Stone AT Gmail.com', /stone|gmail/i, 'removed'],
      ['bob "at" shop.de', /bob|shop\.de/i, 'removed'],
      ['b o b . s t o n e  @  s h o p m a i l . d e', /s t o n e|s h o p/i, 'removed'],
      ['a n n a . w e b e r (at) b u y e r (dot) e x a m p l e', /w e b e r|b u y e r/i, 'alias'],
    ];
    const got = await delivered(rows.map(([s]) => `Write to ${s} please.`));
    const problems = got.flatMap(([text, html], k) => {
      const [s, leak, want] = rows[k]!;
      const shown = want === 'alias' ? alias : '[email removed]';
      return [text, html].filter((v) => !v.includes(shown) || leak.test(v.replace(alias, ''))).map((v) => [s, v]);
    });
    expect(problems).toEqual([]);
  }, 60_000);

  it('keep the prose that looks alike', async () => {
    const prose = [
      'Punkt 3 der Bestellung fehlt',
      'el punto es que no llegó',
      'un steak à point, merci',
      'at this point com is the suffix',
      'John at that point is tired',
      'order 12345 at amazon.de',
      'I bought it at amazon.de',
      'v2.0 at example.com',
      'No.5 at shop.de',
      'e.g. at amazon.de',
      'check-in at booking.com',
      'amazon.de at ebay.de',
      'the invoice.pdf at dropbox.com',
      'reply @ this point in time',
      'x @ y and 5 @ 3',
    ];
    const got = await delivered(prose);
    expect(got).toEqual(prose.map((p) => [p, p]));
  }, 60_000);

  it('remove a Word document that so spells an address, keep one whose prose only looks alike', async () => {
    const kept = await keptFiles(
      h,
      alias,
      [
        textDocx('Reach bob.stone arroba shopmail punto es'),
        textDocx('Reach bob.stone at gmail.com'),
        textDocx('Reach b o b . s t o n e @ s h o p m a i l . d e'),
        textDocx('Punkt 3: I bought it at amazon.de, v2.0 at example.com'),
      ],
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'form.docx',
    );
    expect(kept).toEqual([[], [], [], ['form.docx']]);
  }, 60_000);
});
