// Round-15 attack on the spelled addresses read this round (spelled.ts), sent through the gateway
// in a text and an HTML part (and a Word document).
// - A mailbox whose local part ends in a word that is also a top-level domain (`jean.dupont`,
//   `karl.schmidt`, `foo.bar`, `john.kim`, `mike.ford`: ICANN has .dupont, .schmidt, .bar, .kim,
//   .ford, .weber, .world, .name) before a bare `at` and a real domain crossed: the local part was
//   taken for a host (`amazon.de at ebay.de`). A host's name ends in a country code or a generic
//   top-level domain (com, net, org, …) only.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { alternativeMail, keptFiles, sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import { BUYER } from '../fixtures/masking-mail.js';
import { textDocx } from '../fixtures/word-fields.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

/** Each line sent in a text and an HTML part (one message each), as delivered: [text, html]. */
async function delivered(lines: readonly string[]): Promise<[string, string][]> {
  const raws = await sendTagged(
    h,
    BUYER.address,
    alias,
    lines.map((line, k) => alternativeMail(alias, `${subjectTag(k)} note`, line, `<p>${line}</p>`)),
    30_000,
  );
  return Promise.all(
    raws.map(async (raw) => {
      const m = await simpleParser(raw);
      return [
        m.text?.trim() ?? '',
        String(m.html)
          .replace(/<\/?p>/g, '')
          .trim(),
      ] as [string, string];
    }),
  );
}

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

  // Another language's word for `@` bare (`arroba`, `arobase`, `chiocciola`, `małpa`, …) is no
  // word of prose: it joins any local part to a domain, spelled or real, as `(at)` does. Before,
  // it counted only after a local part of letters joined by `.`, `_` or `+` (and the prefilter
  // looked for those marks only), so the most common Spanish spelling crossed, and so did the
  // writer's own with another language's dot (`anna punkt weber at buyer punkt example`).
  it('remove a plain local part before another language’s word for @, and mask the writer’s so spelled', async () => {
    const rows: [string, RegExp, 'alias' | 'removed'][] = [
      ['juan arroba gmail punto com', /juan|gmail/i, 'removed'],
      ['juanperez ARROBA hotmail PUNTO es', /juanperez|hotmail/i, 'removed'],
      ['mariagarcia arroba gmail.com', /mariagarcia|gmail/i, 'removed'],
      ['jean arobase orange point fr', /jean|orange/i, 'removed'],
      ['mario chiocciola libero punto it', /mario|libero/i, 'removed'],
      ['jan małpa wp kropka pl', /jan |wp/i, 'removed'],
      ['juan punto perez arroba gmail punto com', /perez|gmail/i, 'removed'],
      ['anna punkt weber klammeraffe buyer punkt example', /weber|buyer/i, 'alias'],
    ];
    const got = await delivered(rows.map(([s]) => `Mail: ${s} gracias.`));
    const problems = got.flatMap(([text, html], k) => {
      const [s, leak, want] = rows[k]!;
      const shown = want === 'alias' ? alias : '[email removed]';
      return [text, html].filter((v) => !v.includes(shown) || leak.test(v.replace(alias, ''))).map((v) => [s, v]);
    });
    expect(problems).toEqual([]);
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
