// Round-14 last attack row: a staff member's contact card naming them in Apple's phonetic name properties
// (X-PHONETIC-FIRST-NAME and X-PHONETIC-LAST-NAME, which Contacts shows above the name): each
// alone is no full name, so each was masked as text and kept, and together they showed the
// staff member's name beside the store's in FN and N.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import { STAFF, mail } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair({ staff: true })));
afterAll(() => h.close());

describe('a card naming its writer in phonetic properties', () => {
  it('arrives without them; a phonetic name that is not the writer’s stays', async () => {
    const [first, last] = STAFF.name.split(' ') as [string, string];
    const cards = [
      [
        'BEGIN:VCARD',
        'VERSION:3.0',
        `FN:${STAFF.name}`,
        `N:${last};${first};;;`,
        `X-PHONETIC-FIRST-NAME:${first}`,
        `X-PHONETIC-LAST-NAME:${last}`,
        'END:VCARD',
      ],
      ['BEGIN:VCARD', 'VERSION:3.0', 'FN:Lager Team', 'X-PHONETIC-FIRST-NAME:Lager', 'X-PHONETIC-LAST-NAME:Team', 'END:VCARD'],
    ];
    const raws = cards.map((c, k) =>
      mail(
        [`From: ${STAFF.name} <${STAFF.address}>`, `To: ${alias}`, `Subject: ${subjectTag(k)} card`, 'Content-Type: multipart/mixed; boundary="q"'],
        ['--q', 'Content-Type: text/plain', '', 'Card attached.', '--q', 'Content-Type: text/vcard; charset=utf-8; name="me.vcf"', '', c.join('\r\n'), '--q--'],
      ),
    );
    const delivered = await sendTagged(h, STAFF.address, alias, raws, 30_000);
    const texts = await Promise.all(
      delivered.map(async (raw) => (await simpleParser(raw)).attachments.find((a) => /vcard/.test(a.contentType))?.content.toString('utf8') ?? ''),
    );
    expect(texts[0]).not.toMatch(new RegExp(`PHONETIC-FIRST-NAME:${first}`));
    expect(texts[0]).not.toMatch(new RegExp(`PHONETIC-LAST-NAME:${last}`));
    expect(texts[1]).toContain('X-PHONETIC-FIRST-NAME:Lager');
    expect(texts[1]).toContain('X-PHONETIC-LAST-NAME:Team');
  }, 60_000);
});
