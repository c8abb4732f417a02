// An invitation's UID is the key by which the recipient's calendar program matches an update or a
// cancellation to the event it holds (RFC 5545 §3.8.4.7, RFC 5546 §2.1.5). It was masked as text:
// every UID that looked like an address (`12345@shop.example`, Google's `…@google.com`) became
// `[email removed]`, so an update made a second event and every such event shared one UID. Now a
// UID is kept as it is unless it holds a real address of the writer (the buyer, buyer → store),
// and then that address becomes the alias, so the same UID always gives the same masked UID.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { leakProblems, sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import { BUYER, MAILBOX, mail } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

type Step = { method: 'REQUEST' | 'CANCEL'; sequence: number; start: string };
const STEPS: readonly Step[] = [
  { method: 'REQUEST', sequence: 0, start: '20261210T100000Z' },
  { method: 'REQUEST', sequence: 1, start: '20261211T140000Z' },
  { method: 'CANCEL', sequence: 2, start: '20261211T140000Z' },
];

function invitation(from: string, k: number, uid: string, s: Step): Buffer {
  const ics = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Test//Test//EN',
    `METHOD:${s.method}`,
    'BEGIN:VEVENT',
    `UID:${uid}`,
    `SEQUENCE:${s.sequence}`,
    'DTSTAMP:20261201T000000Z',
    `DTSTART:${s.start}`,
    'SUMMARY:Pickup of order A-1001',
    ...(s.method === 'CANCEL' ? ['STATUS:CANCELLED'] : []),
    `ORGANIZER:mailto:${from}`,
    `ATTENDEE;RSVP=TRUE:mailto:${alias}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ].join('\r\n');
  return mail(
    [`From: ${from}`, `To: ${alias}`, `Subject: ${subjectTag(k)} pickup`, 'Content-Type: multipart/mixed; boundary="q"'],
    ['--q', 'Content-Type: text/plain', '', 'See the invitation.', '--q', `Content-Type: text/calendar; charset=utf-8; method=${s.method}`, '', ics, '--q--'],
  );
}

/** Each delivered copy's calendar UID (unfolded), '' when it has none. */
async function deliveredUids(raws: readonly Buffer[]): Promise<string[]> {
  return Promise.all(
    raws.map(async (raw) => {
      const ics = (await simpleParser(raw)).attachments.find((a) => a.contentType.startsWith('text/calendar'));
      return /^UID:(.*)$/m.exec(ics?.content.toString('utf8').replace(/\r\n[ \t]/g, '') ?? '')?.[1] ?? '';
    }),
  );
}

describe('an invitation’s UID', () => {
  it('stays the same through an update and a cancellation, and keeps ids that hold no address of the writer', async () => {
    const uids = [
      `20261201T090000Z-4711-${BUYER.address}`,
      '12345@shop.example',
      '7kq2p9r0s1t2u3v4w5x6y7z8ab@google.com',
      '040000008200E00074C5B7101A82E00800000000D0A2C1B5F0D6DA01000000000000000010000000',
    ];
    const raws = uids.flatMap((uid, u) => STEPS.map((s, i) => invitation(BUYER.address, u * STEPS.length + i, uid, s)));
    const delivered = await sendTagged(h, BUYER.address, alias, raws, 60_000);
    const got = await deliveredUids(delivered);
    const byEvent = uids.map((_, u) => got.slice(u * STEPS.length, (u + 1) * STEPS.length));
    // The writer's: one masked UID for all three, holding the alias where the address stood.
    expect(byEvent[0]).toEqual(Array(STEPS.length).fill(`20261201T090000Z-4711-${alias}`));
    // The others as they were.
    expect(byEvent.slice(1)).toEqual(uids.slice(1).map((uid) => Array(STEPS.length).fill(uid)));
    expect(
      await leakProblems(
        raws.map((_, k) => `invitation ${k}`),
        delivered,
        { addresses: [BUYER.address], names: [] },
      ),
    ).toEqual([]);
  }, 90_000);

  it('maps the store’s address in a UID to the alias, store → buyer, the same each time', async () => {
    const uid = `a81f-${MAILBOX}`;
    const raws = STEPS.map((s, i) => invitation(MAILBOX, i, uid, s));
    const delivered = await sendTagged(h, MAILBOX, alias, raws, 60_000);
    expect(await deliveredUids(delivered)).toEqual(Array(STEPS.length).fill(`a81f-${alias}`));
    expect(
      await leakProblems(
        raws.map((_, k) => `invitation ${k}`),
        delivered,
        { addresses: [MAILBOX], names: [] },
      ),
    ).toEqual([]);
  }, 90_000);
});
