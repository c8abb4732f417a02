// Addresses written with their separators spelled out, as people write them to keep them from
// harvesters (`anna.weber [at] buyer [dot] example`, `(at)`/`(dot)`, `at`/`dot` between words),
// Markdown's emphasis with a blank (`_bob_ @ shop.example`), and an HTML comment inside one in a
// text part (`bob<!-- x -->@shop.example`, shown as written by a plain-text reader). Through the
// gateway each must arrive masked (the writer's) or removed (anyone's), in the subject, the text and
// the HTML, and in an Office file's text; prose with the same words must arrive unchanged.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { alternativeMail, keptFiles, sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import { BUYER, mail } from '../fixtures/masking-mail.js';
import { textDocx } from '../fixtures/word-fields.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const send = (raws: Buffer[]) => sendTagged(h, BUYER.address, alias, raws, 30_000);

/** Each spelling of `local@domain` (one-dot domain) that a reader reads as the address. */
function spellings(local: string, domain: string): string[] {
  const [name, top] = domain.split('.') as [string, string];
  return [
    `${local} [at] ${name} [dot] ${top}`,
    `${local}[at]${name}[dot]${top}`,
    `${local} (at) ${name} (dot) ${top}`,
    `${local} {at} ${name} {dot} ${top}`,
    `${local} [ AT ] ${name} [ DOT ] ${top}`,
    `${local} [at] ${domain}`,
    `${local} (at) ${domain}`,
    `${local} at ${name} dot ${top}`,
    `${local.toUpperCase()} AT ${name.toUpperCase()} DOT ${top.toUpperCase()}`,
    `${local.replace('.', ' dot ')} at ${name} dot ${top}`,
    `${local}<!-- x -->@${domain}`,
    `${local}@<!-- x -->${domain}`,
    `_${local}_ @ ${domain}`,
    `*${local}* @ ${domain}`,
  ];
}

const message = (k: number, s: string) => alternativeMail(alias, `${subjectTag(k)} write to ${s}`, `Write to ${s} please.`, `<p>Write to ${s} please.</p>`);

describe('addresses with their separators spelled out', () => {
  it("arrive as the alias (the writer's) or removed (anyone's), in the subject, the text and the HTML", async () => {
    const cases = [
      ...spellings('anna.weber', 'buyer.example').map((s) => [s, 'alias'] as const),
      ...spellings('bob.stone', 'shopmail.de').map((s) => [s, 'removed'] as const),
      // Other languages' words and other scripts' brackets (round 13's second attack pass: crossed).
      ...[
        'anna.weber(a)buyer.example',
        'anna.weber [ät] buyer [punkt] example',
        'anna.weber (arroba) buyer (point) example',
        'anna.weber【at】buyer【dot】example',
      ].map((s) => [s, 'alias'] as const),
      ...['bob.stone(a)shopmail.de', 'bob.stone [at] shopmail [punkt] de'].map((s) => [s, 'removed'] as const),
    ];
    const delivered = await send(cases.map(([s], k) => message(k, s)));
    const problems: unknown[] = [];
    for (const [k, raw] of delivered.entries()) {
      const [s, want] = cases[k]!;
      const m = await simpleParser(raw);
      const shown = want === 'alias' ? alias : '[email removed]';
      for (const [where, v] of [
        ['subject', m.subject ?? ''],
        ['text', m.text ?? ''],
        ['html', String(m.html)],
      ] as const)
        if (!v.includes(shown) || /anna|weber|bob|stone|shopmail|buyer/i.test(v.replace(alias, ''))) problems.push([s, where, v]);
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('leave prose with the same words unchanged', async () => {
    const prose = [
      'meet at home dot',
      'look at it dot by dot, then at the end',
      'find us at shop.example or at the market',
      'see [at] the top, sold (at) cost',
      'we arrive at 5 dot 30',
      'a dotted line at the bottom, an anecdote at lunch',
      'the DOT inspection at the garage',
      'options (a) and (b) apply, see note [a]',
      'Choose (a) shop.com or (b) mail.de, or buy at [a] amazon.de',
      'I bought it at amazon dot com, and got them at ebay dot de',
      'I was at home. Dot said hi',
      'x <!-- not a comment in a text --> y',
      'Polka dot dress at 20 EUR (at most two)',
    ];
    const delivered = await send(
      prose.map((p, k) =>
        mail([`From: ${BUYER.name} <${BUYER.address}>`, `To: ${alias}`, `Subject: ${subjectTag(k)} ${p}`, 'Content-Type: text/plain; charset=utf-8'], [p]),
      ),
    );
    const got = await Promise.all(delivered.map(async (raw) => (await simpleParser(raw)).text?.trim()));
    expect(got).toEqual(prose);
  }, 60_000);

  it('remove a Word document whose text spells an address out, and keep one whose prose only looks alike', async () => {
    const docx = textDocx;
    const kept = await keptFiles(
      h,
      alias,
      [docx('Reach me: anna.weber [at] buyer [dot] example'), docx('Reach bob.stone at shopmail dot de'), docx('Meet at home dot, look at it dot by dot')],
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'form.docx',
    );
    expect(kept).toEqual([[], [], ['form.docx']]);
  }, 60_000);
  it('leave prose near them unchanged (a web host, a full stop before dot)', async () => {
    const prose = [
      'tea at five. dot the i',
      'I looked at it. Dot com bubble',
      'meet at noon dot thirty',
      'bought at Aldi dot, the price',
      'sold at cost [dot] matrix printer',
      'arrive at gate dot B',
      'at least one dot per line',
      'Look at www dot shop dot de for more',
    ];
    const delivered = await sendTagged(
      h,
      BUYER.address,
      alias,
      prose.map((p, k) =>
        mail([`From: ${BUYER.name} <${BUYER.address}>`, `To: ${alias}`, `Subject: ${subjectTag(k)} note`, 'Content-Type: text/plain; charset=utf-8'], [p]),
      ),
    );
    const got = await Promise.all(delivered.map(async (raw) => (await simpleParser(raw)).text?.trim()));
    expect(got).toEqual(prose);
  }, 60_000);

  it('addresses spelled with the symbols in brackets, with marks (-at-, _at_), in German, or with a written @ and a spelled dot arrive masked or removed', async () => {
    const spellings = [
      ['anna.weber[at]buyer[.]example', 'alias'],
      ['anna.weber[@]buyer[.]example', 'alias'],
      ['anna.weber@buyer[.]example', 'alias'],
      ['anna.weber (at) buyer (punkt) example', 'alias'],
      ['anna.weber at buyer.example', 'alias'],
      ['bob.stone[at]shopmail[.]de', 'removed'],
      ['bob.stone[@]shopmail[.]de', 'removed'],
      ['bob.stone@shopmail[.]de', 'removed'],
      ['bob.stone (at) shopmail (punkt) de', 'removed'],
      ['bob.stone [at] shopmail [punkt] de', 'removed'],
      ['anna.weber -at- buyer -dot- example', 'alias'],
      ['anna.weber _at_ buyer _dot_ example', 'alias'],
      ['bob.stone -at- shopmail.de', 'removed'],
      ['bob.stone @ shopmail [dot] de', 'removed'],
      ['bob.stone @ shopmail dot de', 'removed'],
    ] as const;
    const delivered = await sendTagged(
      h,
      BUYER.address,
      alias,
      spellings.map(([sp], k) =>
        mail(
          [`From: ${BUYER.name} <${BUYER.address}>`, `To: ${alias}`, `Subject: ${subjectTag(k)} note`, 'Content-Type: text/plain; charset=utf-8'],
          [`Write to ${sp} please.`],
        ),
      ),
    );
    const problems: unknown[] = [];
    for (const [k, raw] of delivered.entries()) {
      const t = (await simpleParser(raw)).text ?? '';
      const [sp, want] = spellings[k]!;
      if (!t.includes(want === 'alias' ? alias : '[email removed]') || /weber|stone|shopmail|buyer/i.test(t.replace(alias, ''))) problems.push([sp, t.trim()]);
    }
    expect(problems).toEqual([]);
  }, 60_000);
});
