// Round-14 attack row: a contact card's value written in base64 or quoted-printable (vCard 2.1 and
// 3.0 `ENCODING=b`, `ENCODING=BASE64`, `ENCODING=QUOTED-PRINTABLE`, as phones and Outlook write
// them; the contacts program decodes them) crossed as it was: another's address inside a NOTE or an
// X- property arrived whole once decoded.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import { BUYER, mail } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('a contact card with encoded values', () => {
  it('arrives without the addresses its encoded values hold, its plain and decoded text kept', async () => {
    const cards = [
      ['BEGIN:VCARD', 'VERSION:3.0', 'FN:Lager Team', 'N:Team;Lager;;;', `NOTE;ENCODING=b:${b64('Write to bob.stone@shopmail.de')}`, 'END:VCARD'],
      ['BEGIN:VCARD', 'VERSION:2.1', 'FN:Lager Team', `X-NOTE;ENCODING=BASE64:${b64('bob.stone@shopmail.de')}`, '', 'END:VCARD'],
      ['BEGIN:VCARD', 'VERSION:2.1', 'FN:Lager Team', 'NOTE;ENCODING=QUOTED-PRINTABLE:Mail bob.stone=40shopmail.de, Tor 3', 'END:VCARD'],
    ];
    const raws = cards.map((c, k) =>
      mail(
        [`From: ${BUYER.name} <${BUYER.address}>`, `To: ${alias}`, `Subject: ${subjectTag(k)} card`, 'Content-Type: multipart/mixed; boundary="q"'],
        [
          '--q',
          'Content-Type: text/plain',
          '',
          'Card attached.',
          '--q',
          'Content-Type: text/vcard; charset=utf-8; name="team.vcf"',
          '',
          c.join('\r\n'),
          '--q--',
        ],
      ),
    );
    const delivered = await sendTagged(h, BUYER.address, alias, raws, 30_000);
    const got = await Promise.all(
      delivered.map(async (raw) => {
        const card = (await simpleParser(raw)).attachments.find((a) => /vcard/.test(a.contentType));
        const text = card ? card.content.toString('utf8').replace(/\r\n[ \t]/g, '') : '';
        // What a contacts program shows: every base64 value decoded, quoted-printable too.
        const shown = text
          .replace(/ENCODING=(?:b|BASE64)[^:]*:([A-Za-z0-9+/=]+)/gi, (_, v: string) => Buffer.from(v, 'base64').toString('utf8'))
          .replace(/=([0-9A-F]{2})/g, (_, x: string) => String.fromCharCode(parseInt(x, 16)));
        return [text.includes('FN:Lager Team'), /shopmail/i.test(shown)];
      }),
    );
    expect(got).toEqual(cards.map(() => [true, false]));
    // The quoted-printable note is kept, decoded and masked.
    const qp = (await simpleParser(delivered[2]!)).attachments.find((a) => /vcard/.test(a.contentType))!.content.toString('utf8');
    expect(qp.replace(/\r\n[ \t]/g, '')).toContain('NOTE:Mail [email removed], Tor 3');
  }, 60_000);
});
