// A contact card as Outlook and older phones write it (vCard 2.1, RFC-less: parameters without a
// name, `TEL;WORK;VOICE:`, `EMAIL;PREF;INTERNET:`, `NOTE;QUOTED-PRINTABLE:`) was removed whole:
// ical.js reads only named parameters and threw, so a buyer's or seller's business card never
// arrived. It must arrive, masked like any card: the writer's address as the alias, another's
// removed, the quoted-printable note decoded and masked, the phone kept.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import { BUYER, mail } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

describe('a vCard 2.1 with unnamed parameters (Outlook, older phones)', () => {
  it('arrives masked, not removed', async () => {
    const card = [
      'BEGIN:VCARD',
      'VERSION:2.1',
      'N;LANGUAGE=de-de:Lager;Team',
      'FN:Lager Team',
      'TEL;WORK;VOICE:+49 30 1234567',
      `EMAIL;PREF;INTERNET:${BUYER.address}`,
      'EMAIL;INTERNET:bob.stone@shopmail.de',
      'NOTE;QUOTED-PRINTABLE:Tor 3, Mail bob.stone=40shopmail.de',
      'ADR;WORK;PREF:;;Hafenstr. 1;Hamburg;;20457;Germany',
      'END:VCARD',
    ];
    const raw = mail(
      [`From: ${BUYER.name} <${BUYER.address}>`, `To: ${alias}`, `Subject: ${subjectTag(0)} card`, 'Content-Type: multipart/mixed; boundary="q"'],
      ['--q', 'Content-Type: text/plain', '', 'My card.', '--q', 'Content-Type: text/x-vcard; charset=utf-8; name="team.vcf"', '', card.join('\r\n'), '--q--'],
    );
    const [delivered] = await sendTagged(h, BUYER.address, alias, [raw], 30_000);
    const parsed = await simpleParser(delivered!);
    const vcf = parsed.attachments.find((a) => /vcard/i.test(a.contentType));
    expect(parsed.text).not.toMatch(/attachment removed/);
    const text = vcf!.content.toString('utf8').replace(/\r\n[ \t]/g, '');
    expect(text).toContain('FN:Lager Team');
    expect(text).toMatch(/TEL;TYPE=WORK,VOICE:\+49 30 1234567/);
    expect(text).toContain(alias);
    expect(text).toContain('NOTE:Tor 3, Mail [email removed]');
    expect(text).toContain('Hafenstr. 1');
    expect(text).not.toMatch(/shopmail|buyer\.example/i);
  }, 60_000);
});
