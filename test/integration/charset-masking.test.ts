// What the reader's mail program decodes, the gateway must have read: text in UTF-7 (RFC 2152,
// `anna+AEA-shop.example` is `anna@shop.example`), UTF-32 or an EBCDIC code page, which WHATWG's
// TextDecoder and mailparser do not read (Outlook and Thunderbird read UTF-7 and UTF-32, Outlook
// IBM037), in the body, an attached text, calendar, contact card or message, an encoded word
// (RFC 2047) of the subject or a carried header, and a file name (RFC 2231). Each must arrive
// readable and masked (re-encoded as UTF-8) or removed with a note, never carrying a charset label
// or an encoded word under which the reader's program shows an address the gateway did not see.
import iconv from 'iconv-lite';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { leakProblems, sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import type { Secrets } from '../helpers/leak-search.js';
import { b64, BUYER, BUYER_OTHER, mail } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair({ staff: true })));
afterAll(() => h.close());

const secrets: Secrets = { addresses: [BUYER.address, BUYER_OTHER], names: [] };

/** UTF-7 (RFC 2152) as Outlook writes it: `@` and non-ASCII letters in base64 shifts. */
const utf7 = (s: string): string => iconv.encode(s, 'utf7').toString('latin1');

const SECRET_LINE = `Please write to ${BUYER_OTHER} about it.`;

/**
 * What in a delivered copy a mail program would decode by another charset than UTF-8: every
 * `charset=` label that is not UTF-8 or ASCII, and every encoded word (RFC 2047) not in UTF-8,
 * in its raw bytes; and an encoded word left in a header's decoded text (decoded once more by the
 * reader's program).
 */
async function otherCharsets(raw: Buffer): Promise<string[]> {
  const text = raw.toString('latin1');
  const found: string[] = [];
  for (const m of text.matchAll(/charset\*?=\s*"?([^";\s]+)/gi)) if (!/^(utf-8|us-ascii)$/i.test(m[1]!)) found.push(`label ${m[1]}`);
  for (const m of text.matchAll(/=\?([^?\s]+)\?[BbQq]\?/g)) if (!/^utf-8$/i.test(m[1]!)) found.push(`word ${m[0]}`);
  for (const m of text.matchAll(/\*=\s*([^'\s;]+)'/g)) if (!/^utf-8$/i.test(m[1]!)) found.push(`rfc2231 ${m[0]}`);
  const p = await simpleParser(raw);
  if (/=\?/.test(p.subject ?? '')) found.push(`subject ${p.subject}`);
  for (const [k, v] of p.headers) if (typeof v === 'string' && /=\?/.test(v)) found.push(`header ${k}: ${v}`);
  for (const a of p.attachments) if (/=\?/.test(a.filename ?? '')) found.push(`file name ${a.filename}`);
  return found;
}

/** Every text of a delivered copy as a mail program shows it (UTF-8 by its labels): subject, bodies, file names and contents, attached messages' too. */
async function shownTexts(raw: Buffer): Promise<string[]> {
  const p = await simpleParser(raw);
  const out = [p.subject ?? '', p.text ?? '', typeof p.html === 'string' ? p.html : ''];
  for (const a of p.attachments) {
    out.push(a.filename ?? '');
    if (/^message\//.test(a.contentType)) out.push(...(await shownTexts(a.content)));
    else out.push(a.content.toString('utf8'));
  }
  return out;
}

const from = `From: ${BUYER.name} <${BUYER.address}>`;

describe('text in a charset TextDecoder does not know', () => {
  it('arrives readable and masked, or removed with a note, in every place a mail program decodes it', async () => {
    const big = 'The parcel for order A-1001 left our store today and should arrive soon.\r\n'.repeat(1200);
    const cases: { label: string; raw: (k: number) => Buffer; shows?: RegExp; removed?: RegExp }[] = [
      {
        label: 'UTF-7 text body',
        raw: (k) =>
          mail([from, `To: ${alias}`, `Subject: ${subjectTag(k)} u7`, 'Content-Type: text/plain; charset=utf-7'], [utf7(`Grüße aus München. ${SECRET_LINE}`)]),
        shows: /Grüße aus München\. Please write to \[email removed\] about it\./,
      },
      {
        label: 'UTF-7 text body over 64 KiB (the shared-body path)',
        raw: (k) => mail([from, `To: ${alias}`, `Subject: ${subjectTag(k)} u7big`, 'Content-Type: text/plain; charset="UTF-7"'], [big, utf7(SECRET_LINE), big]),
        shows: /Please write to \[email removed\] about it\./,
      },
      {
        label: 'UTF-7 over 64 KiB in ASCII but for "+-" (a plus sign): read as UTF-7, not shared as UTF-8 bytes',
        raw: (k) =>
          mail(
            [from, `To: ${alias}`, `Subject: ${subjectTag(k)} u7plus`, 'Content-Type: text/plain; charset=utf-7'],
            [big, `Call +-49 30 1234 or ${utf7(SECRET_LINE)}`],
          ),
        shows: /Call \+49 30 1234 or Please write to \[email removed\] about it\./,
      },
      {
        label: 'a word for @ past 64 KiB, no dot before it (the shared-body path)',
        raw: (k) =>
          mail(
            [from, `To: ${alias}`, `Subject: ${subjectTag(k)} arroba`, 'Content-Type: text/plain; charset=us-ascii'],
            [big.replace(/\./g, ','), `Please write to ${BUYER_OTHER.replace('@', ' arroba ').replace(/\./g, ' punto ')} about it.`],
          ),
        shows: /Please write to \[email removed\] about it\./,
      },
      {
        label: 'UTF-7 HTML body',
        raw: (k) =>
          mail(
            [from, `To: ${alias}`, `Subject: ${subjectTag(k)} u7html`, 'Content-Type: multipart/alternative; boundary="q"'],
            [
              '--q',
              'Content-Type: text/plain; charset=utf-8',
              '',
              'See the HTML.',
              '--q',
              'Content-Type: text/html; charset=utf-7',
              '',
              utf7(`<p>${SECRET_LINE}</p>`),
              '--q--',
            ],
          ),
      },
      {
        label: 'UTF-32LE text body (base64)',
        raw: (k) =>
          mail(
            [from, `To: ${alias}`, `Subject: ${subjectTag(k)} u32`, 'Content-Type: text/plain; charset=utf-32le', 'Content-Transfer-Encoding: base64'],
            [b64(iconv.encode(`Grüße. ${SECRET_LINE}`, 'utf32le'))],
          ),
        shows: /Grüße\. Please write to \[email removed\] about it\./,
      },
      {
        label: 'EBCDIC (IBM037) text body',
        raw: (k) =>
          mail(
            [from, `To: ${alias}`, `Subject: ${subjectTag(k)} ebcdic`, 'Content-Type: text/plain; charset=ibm037', 'Content-Transfer-Encoding: base64'],
            // `anna.private@othermail.example` in IBM037: letters 0x81…, `@` 0x7C, `.` 0x4B.
            [
              b64(
                Buffer.from(
                  SECRET_LINE.replace(/[^a-z@. ]/gi, ' ')
                    .split('')
                    .map(ebcdic),
                ),
              ),
            ],
          ),
        removed: /not read here/,
      },
      ...(['utf-7', 'utf-32be', 'ibm037'] as const).map((cs) => ({
        label: `attached ${cs} text`,
        raw: (k: number) =>
          mail(
            [from, `To: ${alias}`, `Subject: ${subjectTag(k)} att-${cs}`, 'Content-Type: multipart/mixed; boundary="q"'],
            [
              '--q',
              'Content-Type: text/plain; charset=utf-8',
              '',
              'Notes attached.',
              '--q',
              `Content-Type: text/plain; charset=${cs}; name="notes.txt"`,
              'Content-Disposition: attachment; filename="notes.txt"',
              'Content-Transfer-Encoding: base64',
              '',
              b64(
                cs === 'utf-7'
                  ? Buffer.from(utf7(SECRET_LINE), 'latin1')
                  : cs === 'utf-32be'
                    ? iconv.encode(SECRET_LINE, 'utf32be')
                    : Buffer.from([...SECRET_LINE].map(ebcdic)),
              ),
              '--q--',
            ],
          ),
        ...(cs === 'ibm037' ? { removed: /notes\.txt — text in the character set "ibm037", which is not read here/ } : {}),
      })),
      {
        label: 'UTF-7 calendar, contact card, returned headers and attached message',
        raw: (k) =>
          mail(
            [from, `To: ${alias}`, `Subject: ${subjectTag(k)} u7parts`, 'Content-Type: multipart/mixed; boundary="q"'],
            [
              '--q',
              'Content-Type: text/plain; charset=utf-8',
              '',
              'Files attached.',
              '--q',
              'Content-Type: text/calendar; charset=utf-7; method=REQUEST; name="invite.ics"',
              '',
              ...utf7(
                [
                  'BEGIN:VCALENDAR',
                  'VERSION:2.0',
                  'METHOD:REQUEST',
                  'BEGIN:VEVENT',
                  'UID:a1@shop.example',
                  'DTSTART:20261210T100000Z',
                  `SUMMARY:Pickup\\, ${SECRET_LINE}`,
                  'END:VEVENT',
                  'END:VCALENDAR',
                ].join('\r\n'),
              ).split('\r\n'),
              '--q',
              'Content-Type: text/vcard; charset=utf-7; name="card.vcf"',
              'Content-Disposition: attachment; filename="card.vcf"',
              '',
              ...utf7(['BEGIN:VCARD', 'VERSION:3.0', 'FN:Lager', `NOTE:${SECRET_LINE}`, 'END:VCARD'].join('\r\n')).split('\r\n'),
              '--q',
              'Content-Type: text/rfc822-headers; name="returned.txt"',
              'Content-Disposition: attachment; filename="returned.txt"',
              '',
              'From: Lager <lager@shop.example>',
              `Subject: =?utf-7?Q?${utf7(SECRET_LINE).replace(/[=?_ ]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase()}`)}?=`,
              '--q',
              'Content-Type: message/rfc822; name="fwd.eml"',
              'Content-Disposition: attachment; filename="fwd.eml"',
              '',
              'From: Lager <lager@shop.example>',
              'Subject: fwd',
              'MIME-Version: 1.0',
              'Content-Type: text/plain; charset=utf-7',
              '',
              utf7(SECRET_LINE),
              '--q--',
            ],
          ),
      },
      {
        label: 'encoded words: UTF-7 in the subject, an encoded word inside one, a carried header, RFC 2231 file names',
        raw: (k) =>
          mail(
            [
              from,
              `To: ${alias}`,
              `Subject: ${subjectTag(k)} words =?utf-7?Q?Gr+APwA3w-e_${utf7(BUYER_OTHER).replace(/[=?_ ]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase()}`)}?= and =?utf-8?B?${Buffer.from(`=?utf-7?Q?${utf7(BUYER.address)}?=`).toString('base64')}?=`,
              `Importance: =?utf-7?Q?${utf7(BUYER_OTHER)}?=`,
              'Content-Type: multipart/mixed; boundary="q"',
            ],
            [
              '--q',
              'Content-Type: text/plain; charset=utf-8',
              '',
              'Files attached.',
              '--q',
              `Content-Type: text/plain; charset=utf-8`,
              `Content-Disposition: attachment; filename*=utf-7''${encodeURIComponent(utf7(`${BUYER_OTHER}.txt`))}`,
              '',
              'list',
              '--q',
              `Content-Type: text/plain; charset=utf-8; name="=?utf-7?B?${Buffer.from(utf7(`${BUYER.address}.txt`)).toString('base64')}?="`,
              'Content-Disposition: attachment',
              '',
              'list',
              '--q--',
            ],
          ),
        shows: /Files attached/,
      },
    ];
    const delivered = await sendTagged(
      h,
      BUYER.address,
      alias,
      cases.map((c, k) => c.raw(k)),
    );
    const labels = cases.map((c) => c.label);
    expect(await leakProblems(labels, delivered, secrets)).toEqual([]);
    const problems: unknown[] = [];
    for (const [k, raw] of delivered.entries()) {
      const c = cases[k]!;
      const others = await otherCharsets(raw);
      if (others.length) problems.push([c.label, others]);
      const p = await simpleParser(raw);
      const text = p.text ?? '';
      if (c.shows && !c.shows.test(text)) problems.push([c.label, 'not shown', text.slice(0, 300)]);
      if (c.removed && !c.removed.test(text)) problems.push([c.label, 'no note', text.slice(-300)]);
      // Read, not passed on in UTF-7: no `+AEA-` (UTF-7's `@`) is left anywhere; the line was masked where it crossed.
      const shown = (await shownTexts(raw)).join('\n');
      if (shown.includes('+AEA-')) problems.push([c.label, 'UTF-7 left unread', shown.slice(0, 400)]);
      if (!c.removed && !/\[email removed\]/.test(shown)) problems.push([c.label, 'nothing masked', shown.slice(0, 400)]);
      if (c.label.startsWith('encoded words')) {
        if (!/Grüße/.test(p.subject ?? '')) problems.push([c.label, 'subject not read', p.subject]);
      }
    }
    expect(problems).toEqual([]);
  }, 180_000);
});

/** IBM037 (EBCDIC, US/Canada) for the letters, `@`, `.` and blank this test writes. */
function ebcdic(ch: string): number {
  const c = ch.toLowerCase();
  if (c === ' ') return 0x40;
  if (c === '@') return 0x7c;
  if (c === '.') return 0x4b;
  const i = c.charCodeAt(0) - 0x61;
  if (i < 0 || i > 25) return 0x40;
  return i < 9 ? 0x81 + i : i < 18 ? 0x91 + i - 9 : 0xa2 + i - 18;
}
