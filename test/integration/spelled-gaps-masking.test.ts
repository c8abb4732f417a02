// The spellings round 14 found crossing the gateway, and the prose they were removed from: a real
// dot with blanks, other marks and symbols in brackets, Cyrillic or Greek letters in `at` and
// `dot`, entity-spelled words in HTML, the writer's domain after ` at ` through an entity or a
// zero-width character, spelled addresses in a title or alt, other languages' words and other
// scripts' brackets, a pronoun as another's local part. Each must arrive masked (the writer's) or
// removed (anyone's) in the text and the HTML; the prose beside them must arrive unchanged.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { deliveredLines, alternativeMail, keptFiles, sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import { BUYER } from '../fixtures/masking-mail.js';
import { textDocx } from '../fixtures/word-fields.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const message = (k: number, text: string, html: string) => alternativeMail(alias, `${subjectTag(k)} note`, text, html);

const LEAK = /weber|stone|shopmail|buyer|shop dot|mail dot/i;

describe('spellings that crossed in round 14', () => {
  it("arrive as the alias (the writer's) or removed (anyone's), in the text and the HTML", async () => {
    const cases: [string, 'alias' | 'removed'][] = [
      // A real dot with blanks; other marks; symbols in brackets.
      ['bob.stone at shopmail . de', 'removed'],
      ['bob.stone @ shopmail . de', 'removed'],
      ['bob.stone /at/ shopmail /dot/ de', 'removed'],
      ['bob.stone #at# shopmail #dot# de', 'removed'],
      ['bob.stone (@) shopmail (.) de', 'removed'],
      ['bob.stone [@] shopmail [.] de', 'removed'],
      ['anna.weber (@) buyer (.) example', 'alias'],
      // Cyrillic а and о, Greek α and ο in `at` and `dot`.
      ['bob.stone \u0430t shopmail d\u043et de', 'removed'],
      ['bob.stone [\u03b1t] shopmail [d\u03bft] de', 'removed'],
      ['anna.weber \u0430t buyer.example', 'alias'],
      // Other languages' words, other scripts' brackets.
      ['bob.stone (arobase) shopmail (point) de', 'removed'],
      ['bob.stone (chiocciola) shopmail (punto) de', 'removed'],
      ['bob.stone (arroba) shopmail (ponto) de', 'removed'],
      ['bob.stone (ma\u0142pa) shopmail (kropka) de', 'removed'],
      ['anna.weber (małpa) buyer (kropka) example', 'alias'],
      ...['〔at〕', '「at」', '《at》', '〈at〉', '［at］', '（at）'].map((b) => [`bob.stone${b}shopmail.de`, 'removed'] as [string, 'removed']),
      ['anna.weber「at」buyer「dot」example', 'alias'],
      ['bob.stone ❨at❩ shopmail ❨dot❩ de', 'removed'],
      ['bob.stone "at" shopmail "dot" de', 'removed'],
      ['bob.stone “at” shopmail “dot” de', 'removed'],
      // Another's address whose local part is a pronoun, standing alone.
      ['them: it at shopmail dot de', 'removed'],
      ['Email: me at shopmail dot de', 'removed'],
    ];
    const delivered = await sendTagged(
      h,
      BUYER.address,
      alias,
      cases.map(([s], k) => message(k, `Write to ${s} please.`, `<p>Write to ${s} please.</p>`)),
      30_000,
    );
    const problems: unknown[] = [];
    for (const [k, raw] of delivered.entries()) {
      const [s, want] = cases[k]!;
      const m = await simpleParser(raw);
      const shown = want === 'alias' ? alias : '[email removed]';
      for (const [where, v] of [
        ['text', m.text ?? ''],
        ['html', String(m.html)],
      ] as const)
        if (!v.includes(shown) || LEAK.test(v.replace(alias, ''))) problems.push([s, where, v.trim()]);
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('in HTML: words spelled with entities, the writer’s domain through an entity or a zero-width character, a title or an alt', async () => {
    const cases: [string, 'alias' | 'removed'][] = [
      ['<p>Write to bob.stone &#97;t shopmail d&#111;t de please.</p>', 'removed'],
      ['<p>Write to bob.stone [&#x61;t] shopmail [d&#x6f;t] de please.</p>', 'removed'],
      ['<p>Write to bob.stone &#x430;t shopmail d&#x43e;t de please.</p>', 'removed'],
      ['<p>Write to bob.stone &#65339;at&#65341; shopmail.de please.</p>', 'removed'],
      ['<p>Write to anna.weber at buy&#8203;er.example please.</p>', 'alias'],
      ['<p>Write to anna.weber at buy\u200ber.example please.</p>', 'alias'],
      ['<p>Write to anna.weber at buyer&#46;example please.</p>', 'alias'],
      ['<p>Write to anna.weber &#97;t buyer.example please.</p>', 'alias'],
      ['<p>Write to <img src="cid:x" alt="bob.stone at shopmail dot de"> please.</p>', 'removed'],
      ['<p>Write to <a href="https://relay.localhost/" title="bob.stone [at] shopmail [dot] de">us</a> please.</p>', 'removed'],
      ['<p>Write to <img src="cid:x" alt="anna.weber (at) buyer (dot) example"> please.</p>', 'alias'],
      // A link's target, shown on hover and copied with it.
      ['<p>Write to <a href="mailto:bob.stone(at)shopmail(dot)de">us</a> please.</p>', 'removed'],
      ['<p>Write to <a href="mailto:anna.weber [at] buyer [dot] example">us</a> please.</p>', 'alias'],
    ];
    const delivered = await sendTagged(
      h,
      BUYER.address,
      alias,
      cases.map(([html], k) => message(k, 'Write to us please.', html)),
      30_000,
    );
    const problems: unknown[] = [];
    for (const [k, raw] of delivered.entries()) {
      const [html, want] = cases[k]!;
      const v = String((await simpleParser(raw)).html);
      const shown = want === 'alias' ? alias : '[email removed]';
      if (!v.includes(shown) || LEAK.test(v.replace(alias, ''))) problems.push([html, v.trim()]);
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('leave prose near them unchanged', async () => {
    const prose = [
      'I bought it at amazon dot com last week',
      'Prices at Amazon dot com are lower',
      'we meet at noon dot com',
      'Contact me at shopmail dot de, the site',
      'cheaper at ebay dot de than here',
      'I was at home . It was late',
      'the Vienna shop is under /at/de/ on the site',
      'tags #at# and #dot# are hashtags',
      'the dot (.) and the at (@) signs',
      'сидел аt home, дот',
      'Prices (arobase) and (punto) are words',
    ];
    const got = await deliveredLines(h, alias, prose);
    expect(got).toEqual(prose.map((p) => [p, p]));
  }, 60_000);

  it('remove a Word document whose text so spells an address, and keep one whose prose only looks alike', async () => {
    const docx = textDocx;
    const kept = await keptFiles(
      h,
      alias,
      [
        docx('Reach bob.stone at shopmail . de'),
        docx('Reach bob.stone \u0430t shopmail d\u043et de'),
        docx('Reach bob.stone ❨at❩ shopmail ❨dot❩ de'),
        docx('Reach bob.stone (arobase) shopmail (punto) de'),
        docx('Reach anna.weber (małpa) buyer (kropka) example'),
        docx('Prices at Amazon dot com; I bought it at ebay dot de'),
      ],
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'form.docx',
    );
    expect(kept).toEqual([[], [], [], [], [], ['form.docx']]);
  }, 60_000);
});
