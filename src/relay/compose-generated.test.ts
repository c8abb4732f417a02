// Round 9 composes a 7bit text part from bytes made with native searches (transfer-encoding.ts
// textPartContent), searches the composed message for bare line ends only where those bytes meet their
// neighbours (line-ends.ts hasBareLineEndIn), and signs it without mailauth's line-end search
// (outbound/mailauth-line-ends.ts crlfOnly), so a bare LF or CR let through would now be signed as
// it is and fail at the receiver. On generated mails (an outside attack pass) with every line end
// kind, controls, non-ASCII, lines of 998 and 999, trailing blanks, dot lines and boundary-like
// lines, in the text, the HTML, the subject, a header, a calendar invitation, attachments and an
// attached message: no bare line end, the bytes signed in place are those signed after a search,
// and the signature verifies.
import { dkimVerify } from 'mailauth';
import { describe, expect, it } from 'vitest';
import type { MailAttachment, OutgoingMail } from '../core/types.js';
import { dkimSignMessage } from '../outbound/dkim-sign.js';
import { composeMail } from './compose.js';
import { hasBareLineEnd } from './line-ends.js';
import { composeInPlace } from './work.js';
import { outgoingMail } from '../../test/helpers/outgoing-mail.js';
import { relaySigning } from '../../test/helpers/relay-signing.js';

// One second for t=, and nodemailer's boundaries from a fixed seed: both ways then give the same bytes.
const { dkim, resolver } = relaySigning('mg-attack3-');

let seed = 11;
const rnd = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % n;
};
const PIECES = ['\n', '\r\n', 'a', 'The quick brown fox', '~', '.', '\n.\n', '\r\n.\r\n', '=', '=?utf-8?q?x?=', 'From ', '--', '\n--_NmP-\n'];
const ODD = ['\r', '\r\r\n', '\n\r', ' \n', '\t\n', '\u0000', '\u0008', '\u007f', 'é', '\ud800', '😀', 'x'.repeat(998), 'y'.repeat(999), ' ', '\t'];
function text(max: number): string | null {
  if (rnd(5) === 0) return rnd(2) ? null : '';
  let s = '';
  const len = rnd(max);
  while (s.length < len) s += rnd(max > 10000 ? 20000 : 25) === 0 ? (ODD[rnd(ODD.length)] as string) : (PIECES[rnd(PIECES.length)] as string);
  return s;
}
function att(contentType: string, body: string, filename: string | null = 'a.txt'): MailAttachment {
  return { filename, contentType, content: Buffer.from(body, 'latin1'), contentId: null, disposition: 'attachment' };
}
function mail(depth = 0): OutgoingMail {
  const attachments: MailAttachment[] = [];
  for (let k = rnd(3); k > 0; k--) {
    const r = rnd(4);
    if (r === 0) attachments.push(att('text/plain', text(3000) ?? ''));
    else if (r === 1)
      attachments.push(att('text/calendar; method=REQUEST', `BEGIN:VCALENDAR\nMETHOD:REQUEST\n${text(300) ?? ''}\nEND:VCALENDAR\n`, 'invite.ics'));
    else if (r === 2 && depth === 0) attachments.push({ ...att('message/rfc822', '', 'fwd.eml'), nested: mail(1) });
    else attachments.push(att('application/octet-stream', text(500) ?? ''));
  }
  const big = rnd(8) === 0 ? 200_000 : 3000;
  return outgoingMail({
    subject: rnd(4) === 0 ? (text(80) ?? '') : 'Order A-1001',
    text: text(big),
    html: rnd(2) ? text(big) : null,
    attachments,
    headers: rnd(3) === 0 ? [['x-test', text(100) ?? 'v']] : [],
  });
}

describe('composing and signing generated mails', () => {
  it('gives no bare line end, the same bytes signed in place as signed after a search, and a signature that verifies', async () => {
    // repaired: a large message whose line ends toCrlf repaired (composed in place twice).
    const seen = { sevenBit: 0, repaired: 0 };
    for (let round = 0; round < 200; round++) {
      const label = `round ${round} (seed 11)`;
      const m = mail();
      const composed = await composeMail(m);
      expect(hasBareLineEnd(composed), label).toBe(false);
      if (/\r\nContent-Transfer-Encoding: 7bit\r\n/i.test(composed.toString('latin1'))) seen.sevenBit++;
      const before = await dkimSignMessage(composed, dkim);
      const calls: number[] = [];
      const inPlace = await composeInPlace(m, dkim, (size) => {
        calls.push(size);
        return Buffer.alloc(size);
      });
      if (calls.length === 2) seen.repaired++;
      expect(inPlace.equals(before), label).toBe(true);
      const verified = await dkimVerify(inPlace, { resolver });
      expect(
        verified.results.map((r) => r.status.result),
        label,
      ).toEqual(['pass']);
    }
    expect(seen.sevenBit).toBeGreaterThan(50);
    expect(seen.repaired).toBeGreaterThan(5);
  }, 120_000);
});
