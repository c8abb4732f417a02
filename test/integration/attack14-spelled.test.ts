// Round-14 attack rows for spelled addresses: the words other languages spell `@` and `.` with in
// brackets (Russian `(собака)` `(точка)`, Dutch `(apenstaartje)` `(punt)`, Hungarian `(kukac)`
// `(pont)`, Czech `(zavináč)` `(tečka)`, Swedish `(snabel-a)`, Turkish `(nokta)`) crossed; English
// prose with a contraction or a possessive before a bare ` at ` (`I'm at amazon dot com`,
// `Bought mine at walmart dot com`) was removed as an address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { deliveredLines, startMaskingPair } from '../helpers/tagged-send.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const deliver = (lines: readonly string[]): Promise<[string, string][]> => deliveredLines(h, alias, lines);

describe('spelled addresses, round-14 attack', () => {
  it("other languages' words in brackets: anyone's removed, the writer's the alias", async () => {
    const cases: [string, 'alias' | 'removed'][] = [
      ['bob.stone (собака) shopmail (точка) de', 'removed'],
      ['bob.stone (СОБАКА) shopmail (ТОЧКА) de', 'removed'],
      ['anna.weber (собака) buyer (точка) example', 'alias'],
      ['bob.stone (apenstaartje) shopmail (punt) nl', 'removed'],
      ['bob.stone (kukac) shopmail (pont) hu', 'removed'],
      ['bob.stone (zavináč) shopmail (tečka) cz', 'removed'],
      ['bob.stone [snabel-a] shopmail [punkt] se', 'removed'],
      ['bob.stone (at) shopmail (nokta) com', 'removed'],
    ];
    const got = await deliver(cases.map(([s]) => `Write to ${s} please.`));
    const problems = got.flatMap(([text, html], k) => {
      const [s, want] = cases[k]!;
      const shown = want === 'alias' ? alias : '[email removed]';
      return [text, html].filter((v) => !v.includes(shown) || /stone|weber|shopmail|buyer/i.test(v.replace(alias, ''))).map((v) => [s, v]);
    });
    expect(problems).toEqual([]);
  }, 60_000);

  it('leaves prose with a contraction or a possessive before a bare at unchanged', async () => {
    const prose = [
      "I'm at amazon dot com right now",
      'We’re at ebay dot de this week',
      "it's at bol dot com, cheaper",
      "Jane's at Target dot com today",
      'Bought mine at walmart dot com',
      'Ours came from otto and theirs at zalando dot de',
      'Мы (точка) Москва',
      'Rendez-vous au (pont) Neuf',
    ];
    expect(await deliver(prose)).toEqual(prose.map((p) => [p, p]));
  }, 60_000);

  it("still removes another's mailbox-like or bare local part after a bare at", async () => {
    const cases = ['Email: m at shopmail dot de', 'mine at shopmail dot de', 'bob_s at shopmail dot de'];
    const got = await deliver(cases);
    expect(got.map(([text]) => text.includes('[email removed]') && !/shopmail/.test(text))).toEqual(cases.map(() => true));
  }, 60_000);
});
