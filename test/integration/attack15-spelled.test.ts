// Round-15 attack on the spelled addresses read this round (spelled.ts), sent through the gateway
// in a text and an HTML part (and a Word document).
// - A mailbox whose local part ends in a word that is also a top-level domain (`jean.dupont`,
//   `karl.schmidt`, `foo.bar`, `john.kim`, `mike.ford`: ICANN has .dupont, .schmidt, .bar, .kim,
//   .ford, .weber, .world, .name) before a bare `at` and a real domain crossed: the local part was
//   taken for a host (`amazon.de at ebay.de`). A host's name ends in a country code or a generic
//   top-level domain (com, net, org, …) only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { deliveredLines, keptFiles, startMaskingPair } from '../helpers/tagged-send.js';
import { textDocx } from '../fixtures/word-fields.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const delivered = (lines: readonly string[]): Promise<[string, string][]> => deliveredLines(h, alias, lines);

describe('spelled addresses (round-15 attack)', () => {
  it('remove a mailbox whose local part ends in a brand or word top-level domain', async () => {
    const rows: [string, RegExp][] = [
      ['jean.dupont arobase orange point fr', /dupont|orange/i],
      ['jean.dupont at orange.fr', /dupont|orange/i],
      ['karl.schmidt at gmail.com', /schmidt|gmail/i],
      ['foo.bar at example.com', /foo|example/i],
      ['john.kim arroba gmail punto com', /kim|gmail/i],
      ['mike.ford at outlook.com', /ford|outlook/i],
      ['lisa.hughes "at" shop.de', /hughes|shop/i],
      ['my.name at gmail.com', /my\.name|gmail/i],
      ['hello.world at gmail.com', /world|gmail/i],
    ];
    const got = await delivered(rows.map(([s]) => `Write to ${s} please.`));
    const problems = got.flatMap(([text, html], k) => {
      const [s, leak] = rows[k]!;
      return [text, html].filter((v) => !v.includes('[email removed]') || leak.test(v)).map((v) => [s, v]);
    });
    expect(problems).toEqual([]);
  }, 60_000);

  // Another language's word for `@` is no word of prose (`arroba`, `arobase`, `chiocciola`, `małpa`,
  // …): it joins any local part to a domain, as `(at)` does. Before, it counted only after a local
  // part of letters joined by `.`, `_` or `+`: `mariagarcia arroba gmail.com` crossed.
  async function problems(rows: readonly [string, RegExp, 'alias' | 'removed'][]): Promise<unknown[]> {
    const got = await delivered(rows.map(([s]) => `Mail: ${s} gracias.`));
    return got.flatMap(([text, html], k) => {
      const [s, leak, want] = rows[k]!;
      const shown = want === 'alias' ? alias : '[email removed]';
      return [text, html].filter((v) => !v.includes(shown) || leak.test(v.replace(alias, ''))).map((v) => [s, v]);
    });
  }
  it('remove a plain local part before another language’s word for @ and a real domain', async () => {
    expect(
      await problems([
        ['mariagarcia arroba gmail.com', /mariagarcia|gmail/i, 'removed'],
        ['jean AROBASE orange.fr', /jean|orange/i, 'removed'],
        ['mario chiocciola libero.it', /mario|libero/i, 'removed'],
        ['jan małpa wp.pl', /jan |wp/i, 'removed'],
      ]),
    ).toEqual([]);
  }, 60_000);

  // With no real `.`, `_` or `+` the prefilter (bareJoins) did not bring the reading about, so the
  // most common Spanish spelling crossed, and so did the writer's own with another language's dot.
  // Since round 17 the words for `@` themselves are searched (foreignAtWord: a message's first and
  // last 32 KiB).
  it('remove an address spelled with another language’s words only', async () => {
    expect(
      await problems([
        ['juan arroba gmail punto com', /juan|gmail/i, 'removed'],
        ['jean arobase orange point fr', /jean|orange/i, 'removed'],
        ['anna punkt weber klammeraffe buyer punkt example', /weber|buyer/i, 'alias'],
      ]),
    ).toEqual([]);
  }, 60_000);

  it('keep prose with another language’s words for @ and .', async () => {
    const prose = [
      'la arroba es un símbolo y el punto com es un dominio',
      'el punto es que no llegó',
      'ta małpa jest w zoo punkt com',
      'una arroba de trigo pesa 11 kilos',
      'Punkt 3: die Lieferung',
    ];
    const got = await delivered(prose);
    expect(got).toEqual(prose.map((p) => [p, p]));
  }, 60_000);

  // Letters spaced out with a bare `at` or `dot` among them, or only the domain spaced out after a
  // real `@`: read as around a real `@` (RUN). They crossed.
  it('remove an address spaced out around a bare at or dot, or with only its domain spaced', async () => {
    expect(
      await problems([
        ['b o b at s h o p . d e', /s h o p/i, 'removed'],
        ['b o b . s t o n e at g m a i l . c o m', /s t o n e|g m a i l/i, 'removed'],
        ['b o b @ s h o p dot d e', /s h o p/i, 'removed'],
        ['bob.stone @ g m a i l . c o m', /stone|g m a i l/i, 'removed'],
        ['anna.weber @ b u y e r . e x a m p l e', /weber|b u y e r/i, 'alias'],
      ]),
    ).toEqual([]);
  }, 60_000);

  it('keep a host or a file before a bare at', async () => {
    const prose = ['amazon.de at ebay.de', 'ebay.co.uk at amazon.com', 'see README.md at github.com', 'the main.py at github.com'];
    const got = await delivered(prose);
    expect(got).toEqual(prose.map((p) => [p, p]));
  }, 60_000);

  it('remove a Word document that so spells an address', async () => {
    const kept = await keptFiles(
      h,
      alias,
      [textDocx('Reach jean.dupont at orange.fr'), textDocx('amazon.de at ebay.de')],
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'form.docx',
    );
    expect(kept).toEqual([[], ['form.docx']]);
  }, 60_000);
});
