// Round-17 attack on the calendar UID (kept unless it holds the writer's address): a UID that holds
// another real address of a person the invitation names, the organizer when it is not the writer
// (the buyer's other mailbox, a staff colleague), crossed as it was, though the ORGANIZER property
// beside it became the alias. Calendar programs that build a UID from the organizer's address
// (`<id>-<organizer>`) are common, and a forwarded or delegated invitation's organizer is not the
// sender.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import { BUYER, BUYER_OTHER, COLLEAGUE, MAILBOX, mail } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

function invitation(from: string, organizer: string, to: string, k: number, uid: string, sequence: number): Buffer {
  const ics = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Test//Test//EN',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    `SEQUENCE:${sequence}`,
    'DTSTAMP:20261201T000000Z',
    'DTSTART:20261210T100000Z',
    'SUMMARY:Pickup',
    `ORGANIZER:mailto:${organizer}`,
    `ATTENDEE;RSVP=TRUE:mailto:${to}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ].join('\r\n');
  return mail(
    [`From: ${from}`, `To: ${to}`, `Subject: ${subjectTag(k)} pickup`, 'Content-Type: multipart/mixed; boundary="q"'],
    ['--q', 'Content-Type: text/plain', '', 'See the invitation.', '--q', 'Content-Type: text/calendar; charset=utf-8; method=REQUEST', '', ics, '--q--'],
  );
}

async function deliveredUids(raws: readonly Buffer[]): Promise<string[]> {
  return Promise.all(
    raws.map(async (raw) => {
      const ics = (await simpleParser(raw)).attachments.find((a) => a.contentType.startsWith('text/calendar'));
      return /^UID:(.*)$/m.exec(ics?.content.toString('utf8').replace(/\r\n[ \t]/g, '') ?? '')?.[1] ?? '';
    }),
  );
}

describe('a calendar UID holding the organizer’s address (round-17 attack)', () => {
  it('buyer → store: the buyer’s other mailbox as organizer and in the UID does not cross, and the UID stays one', async () => {
    const uid = `20261201-4711-${BUYER_OTHER}`;
    const raws = [0, 1].map((s) => invitation(BUYER.address, BUYER_OTHER, alias, s, uid, s));
    const got = await deliveredUids(await sendTagged(h, BUYER.address, alias, raws, 60_000));
    expect(got.filter((u) => u.toLowerCase().includes('othermail'))).toEqual([]);
    expect(got[0]).not.toBe('');
    expect(got[1]).toBe(got[0]);
  }, 90_000);

  it('store → buyer: a colleague as organizer and in the UID does not cross', async () => {
    const uid = `a81f-${COLLEAGUE}`;
    const raws = [invitation(MAILBOX, COLLEAGUE, alias, 10, uid, 0)];
    const got = await deliveredUids(await sendTagged(h, MAILBOX, alias, raws, 60_000));
    expect(got.filter((u) => u.toLowerCase().includes('lager@'))).toEqual([]);
  }, 90_000);
});
