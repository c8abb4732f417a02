// A numeric character reference without its `;` (`&#64`, `&#0064`, `&#x40` before a character that
// is not a hex digit): HTML5 decodes it all the same (a parse error, but the character is shown),
// in text and in attribute values, so `anna.weber&#64buyer.example` shows as the address. Through
// the gateway, in an HTML part (text and href) and a text part, it must arrive masked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { leakSearch, type Secrets } from '../helpers/leak-search.js';
import { alternativeMail, leakProblems, sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import { BUYER, BUYER_OTHER } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const secrets: Secrets = { addresses: [BUYER.address, BUYER_OTHER], names: [] };

function spellings(address: string): string[] {
  const [l, d] = address.split('@') as [string, string];
  return [
    `${l}&#64${d}`,
    `${l}&#064${d}`,
    `${l}&#x40 ${d}`,
    `${l}&#64${d.replace('.', '&#46')}`,
    `${l.replace('.', '&#46')}&#64${d}`,
    `${l}&#38#64;${d}`,
    `${l}&#37;40${d}`,
  ];
}

describe('a numeric character reference without its semicolon', () => {
  it('arrives masked in the HTML text, an href and the text part', async () => {
    const labels = [BUYER.address, BUYER_OTHER].flatMap(spellings);
    const raws: Buffer[] = [];
    for (const [k, spelling] of labels.entries()) {
      const html = `<p>About order A-1001.</p><p>Write to ${spelling} or <a href="mailto:${spelling}">here</a>.</p>`;
      const raw = alternativeMail(alias, subjectTag(k), `About order A-1001. Write to ${spelling}\r\n`, html);
      expect((await leakSearch(raw, secrets)).length, spelling).toBeGreaterThan(0);
      raws.push(raw);
    }
    expect(await leakProblems(labels, await sendTagged(h, BUYER.address, alias, raws), secrets)).toEqual([]);
  }, 120_000);
});
