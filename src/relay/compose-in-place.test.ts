// A pool thread composes a message straight into the buffer it hands back and signs it there
// (work.ts composeInPlace). What it stores and sends must be byte for byte what composing into a
// buffer and signing into another gave before: same clock second, same boundaries, same bytes, for
// every kind of message, and a signature mailauth verifies.
import crypto from 'node:crypto';
import { dkimVerify } from 'mailauth';
import { describe, expect, it } from 'vitest';
import type { MailAttachment, OutgoingMail } from '../core/types.js';
import { dkimSignMessage } from '../outbound/dkim-sign.js';
import { composeMail } from './compose.js';
import { composeInPlace, IN_PLACE_FROM, SIGNATURE_ROOM } from './work.js';
import { outgoingMail } from '../../test/helpers/outgoing-mail.js';
import { relaySigning } from '../../test/helpers/relay-signing.js';

// One second for t=, and nodemailer's boundaries from a fixed seed: both ways then give the same bytes.
const { dkim, resolver } = relaySigning('mg-in-place-');

function attachment(content: Uint8Array, contentType = 'application/octet-stream', filename = 'data.bin'): MailAttachment {
  return { filename, contentType, content, disposition: 'attachment' } as MailAttachment;
}

const line = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789\n';
const MiB = 1024 * 1024;
const cases: Record<string, OutgoingMail> = {
  '1 MiB of ASCII text (7bit)': outgoingMail({ text: line.repeat(Math.ceil(MiB / line.length)) }),
  'a short text': outgoingMail({ text: 'Thanks, see you soon.\n' }),
  'text and HTML': outgoingMail({ text: line.repeat(1000), html: `<p>${line.repeat(1000)}</p>` }),
  'an attachment': outgoingMail({ text: 'see attached\n', attachments: [attachment(crypto.randomBytes(300_000))] }),
  'an attached picture and an HTML body': outgoingMail({
    html: '<p><img src="cid:x"></p>',
    attachments: [{ ...attachment(crypto.randomBytes(90_000), 'image/png', 'x.png'), contentId: '<x>', disposition: 'inline' } as MailAttachment],
  }),
  '8bit text (accents, quoted-printable)': outgoingMail({ subject: 'Commande expédiée', text: 'Votre commande a été expédiée, merci à vous.\n'.repeat(2000) }),
  '8bit text (CJK, base64)': outgoingMail({ text: '吾輩は猫である。名前はまだ無い。\n'.repeat(20_000) }),
  'lines over 998 octets': outgoingMail({ text: `${'x'.repeat(5000)}\n`.repeat(30) }),
  'no line end at the end': outgoingMail({ text: `${line.repeat(1000)}the last line` }),
  'a calendar invitation with LF lines (repaired by toCrlf)': outgoingMail({
    text: line.repeat(1000),
    attachments: [
      attachment(
        Buffer.from('BEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\nSUMMARY:Pickup\nEND:VEVENT\nEND:VCALENDAR\n'),
        'text/calendar; method=REQUEST',
        'invite.ics',
      ),
    ],
  }),
};

describe('composing and signing in place', () => {
  it.each(Object.entries(cases))('gives the same bytes as composing and then signing a copy: %s', async (_, m) => {
    const before = await dkimSignMessage(await composeMail(m), dkim);
    const calls: number[] = [];
    const now = await composeInPlace(m, dkim, (size) => {
      calls.push(size);
      return Buffer.alloc(size);
    });
    expect(now.equals(before)).toBe(true);
    const verified = await dkimVerify(now, { resolver });
    expect(verified.results.map((r) => [r.signingDomain, r.status.result])).toEqual([['relay.test', 'pass']]);
    // One buffer for the message, made for it: the composed bytes with at most SIGNATURE_ROOM unused
    // in front (large), or exactly the signed message (small). The toCrlf repair asks twice.
    if (before.length - 1000 >= IN_PLACE_FROM) {
      expect(now.buffer.byteLength - now.byteLength).toBeLessThanOrEqual(SIGNATURE_ROOM);
      expect(now.buffer.byteLength - now.byteLength).toBeGreaterThan(0);
    } else expect(now.buffer.byteLength).toBe(now.byteLength);
    expect(calls.length).toBe(/calendar/.test(_) && before.length >= IN_PLACE_FROM ? 2 : 1);
  });

  it('places a signature longer than the room left for it with one more copy, and the bytes are still the same', async () => {
    const m = cases['1 MiB of ASCII text (7bit)'] as OutgoingMail;
    const before = await dkimSignMessage(await composeMail(m), dkim);
    const now = await composeInPlace(m, dkim, (size) => Buffer.alloc(size), 16);
    expect(now.equals(before)).toBe(true);
    expect(now.buffer.byteLength).toBe(now.byteLength);
  });

  it('composes without a key into the buffer given, exactly the composed message', async () => {
    const m = cases['text and HTML'] as OutgoingMail;
    const now = await composeInPlace(m, null, (size) => Buffer.alloc(size));
    expect(now.equals(await composeMail(m))).toBe(true);
    expect(now.buffer.byteLength).toBe(now.byteLength);
    expect(now.toString('latin1')).not.toMatch(/DKIM-Signature/i);
  });
});
