// Attack pass on round 19's charsets (every text read in its declared charset), through the real
// gateway. What broke: the note that says a text was removed for its charset quoted the received
// label as it was (`charset="anna.private@othermail.example"`), and a removed file's note its type,
// unmasked, after the masking had run. The other cases (an encoded word with a charset longer than
// RFC 2047 allows, UTF-16 under a UTF-8 label, RFC 2231 continuations in UTF-7, a vCard 2.1 CHARSET
// quoted or twice, an attached message's display names) arrived masked and stay pinned here.
// Second: a text file read by a charset written inside it. The gateway reads a part by its MIME
// label and sends it as UTF-8, but a browser opening the saved file reads it by its own
// `<meta charset>` first, or guesses ISO-2022-JP from its escape sequences (Chrome, Firefox on a
// local file): `ESC $ B #a#n#n#a!w…` is ASCII junk to the gateway and `ａｎｎａ＠…` in the browser.
import iconv from 'iconv-lite';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { leakSearchText } from '../helpers/leak-search.js';
import { leakProblems, maskingPairForTests, sendTagged, subjectTag } from '../helpers/tagged-send.js';
import type { Secrets } from '../helpers/leak-search.js';
import { b64, BUYER, BUYER_OTHER, mail } from '../fixtures/masking-mail.js';

const pair = maskingPairForTests({ staff: true });

const secrets: Secrets = { addresses: [BUYER.address, BUYER_OTHER], names: [] };
const utf7 = (s: string): string => iconv.encode(s, 'utf7').toString('latin1');
const from = `From: ${BUYER.name} <${BUYER.address}>`;
const SECRET_LINE = `Please write to ${BUYER_OTHER} about it.`;
const big = 'The parcel for order A-1001 left our store today and should arrive soon.\r\n'.repeat(1200);
const longCs = `utf-8*${'a'.repeat(80)}`;

/**
 * The k-th message from BUYER to the pair's alias: multipart/mixed (boundary `q`) with a short UTF-8
 * text (`intro`), then one more part: `part`, its header lines, a blank line and its body lines.
 * `headers` follow From and To (the subject, by default `subjectTag(k) x`).
 */
function twoParts(k: number, intro: string, part: readonly string[], headers: readonly string[] = [`Subject: ${subjectTag(k)} x`]): Buffer {
  return mail(
    [from, `To: ${pair.alias}`, ...headers, 'Content-Type: multipart/mixed; boundary="q"'],
    ['--q', 'Content-Type: text/plain; charset=utf-8', '', intro, '--q', ...part, '--q--'],
  );
}

describe('charset labels, encoded words and notes that quote what was received', () => {
  it('arrive with no address of anyone but ours, in the text and in the notes that say what was removed', async () => {
    const { h, alias } = pair;
    const cases: { label: string; raw: (k: number) => Buffer }[] = [
      {
        label: 'body in an unknown charset whose label is an address',
        raw: (k) => mail([from, `To: ${alias}`, `Subject: ${subjectTag(k)} x`, `Content-Type: text/plain; charset="${BUYER_OTHER}"`], ['hello']),
      },
      {
        label: 'attached text in an unknown charset whose label is an address',
        raw: (k) => twoParts(k, 'Notes.', [`Content-Type: text/plain; charset="${BUYER_OTHER}"; name="n.txt"`, '', 'hello']),
      },
      {
        label: 'attached file whose type is an address (the note names the type)',
        raw: (k) =>
          twoParts(k, 'File.', [`Content-Type: application/x-${BUYER_OTHER}; name="f.bin"`, 'Content-Transfer-Encoding: base64', '', b64('\x00\x01binary')]),
      },
      {
        label: 'an encoded word that masking makes: an address with a `?` removed from inside one (attached message names, subject, file name)',
        raw: (k) => {
          // Before masking no encoded word (`…bGxl x?y@…` is cut by its `?`); after, `=?utf-8?B?<address> [email removed]?=` is one.
          const made = `=?utf-8?B?${b64(BUYER_OTHER)} x?y@othermail.example?=`;
          const long = `=?${longCs}?B?${b64(BUYER_OTHER)} x?y@othermail.example?=`;
          return twoParts(
            k,
            'Fwd.',
            [
              'Content-Type: text/plain; charset=utf-8',
              `Content-Disposition: attachment; filename="${made}"`,
              '',
              'list',
              '--q',
              'Content-Type: message/rfc822',
              '',
              `From: "${made}" <lager@shop.example>`,
              `To: "${long}" <x@shop.example>`,
              `Subject: ${made}`,
              '',
              'hi',
            ],
            [`Subject: ${subjectTag(k)} ${made}`, `Importance: ${long}`],
          );
        },
      },
      {
        label: 'carried header with a long-charset encoded word',
        raw: (k) => mail([from, `To: ${alias}`, `Subject: ${subjectTag(k)} x`, `Importance: =?${longCs}?B?${b64(BUYER_OTHER)}?=`], ['hello']),
      },
      {
        label: 'subject with a long-charset encoded word',
        raw: (k) => mail([from, `To: ${alias}`, `Subject: ${subjectTag(k)} =?${longCs}?B?${b64(BUYER_OTHER)}?=`], ['hello']),
      },
      {
        label: 'utf-8 body that is UTF-16LE with its mark',
        raw: (k) =>
          mail(
            [from, `To: ${alias}`, `Subject: ${subjectTag(k)} x`, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64'],
            [b64(Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(SECRET_LINE, 'utf16le')]))],
          ),
      },
      {
        label: 'utf-8 body over 64 KiB that is UTF-16LE with its mark',
        raw: (k) =>
          mail(
            [from, `To: ${alias}`, `Subject: ${subjectTag(k)} x`, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64'],
            [b64(Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(big + SECRET_LINE, 'utf16le')]))],
          ),
      },
      {
        label: 'unknown charset label in a body over 64 KiB',
        raw: (k) => mail([from, `To: ${alias}`, `Subject: ${subjectTag(k)} x`, `Content-Type: text/plain; charset=x-${BUYER_OTHER}`], [big]),
      },
      {
        label: 'file name RFC 2231 utf-7 continuation',
        raw: (k) =>
          twoParts(k, 'Notes.', [
            'Content-Type: text/plain; charset=utf-8',
            `Content-Disposition: attachment; filename*0*=utf-7''${encodeURIComponent(utf7(BUYER_OTHER).slice(0, 8))}; filename*1*=${encodeURIComponent(utf7(BUYER_OTHER).slice(8))}.txt`,
            '',
            'list',
          ]),
      },
      {
        label: 'file name encoded word with a long charset',
        raw: (k) =>
          twoParts(k, 'Notes.', [
            'Content-Type: text/plain; charset=utf-8',
            `Content-Disposition: attachment; filename="=?${longCs}?B?${b64(BUYER_OTHER + '.txt')}?="`,
            '',
            'list',
          ]),
      },
      {
        label: 'vCard QP + utf-7, quoted charset',
        raw: (k) =>
          twoParts(k, 'Card.', [
            'Content-Type: text/x-vcard; name="c.vcf"',
            '',
            'BEGIN:VCARD',
            'VERSION:2.1',
            'FN:Lager',
            `NOTE;CHARSET="UTF-7";ENCODING=QUOTED-PRINTABLE:${utf7(BUYER_OTHER).replace(/[=+]/g, (c) => '=' + c.charCodeAt(0).toString(16).toUpperCase())}`,
            `TITLE;QUOTED-PRINTABLE;UTF-7:${utf7(BUYER_OTHER).replace(/[=+]/g, (c) => '=' + c.charCodeAt(0).toString(16).toUpperCase())}`,
            `ORG;charset=utf-8;CHARSET=utf-7:${utf7(BUYER_OTHER)}`,
            'END:VCARD',
          ]),
      },
      {
        label: 'inner message with utf-7 To display name and unknown charset label',
        raw: (k) =>
          twoParts(k, 'Fwd.', [
            'Content-Type: message/rfc822',
            '',
            `From: =?utf-7?Q?${utf7(BUYER_OTHER)}?= <lager@shop.example>`,
            `To: =?${longCs}?B?${b64(BUYER_OTHER)}?= <x@shop.example>`,
            `Subject: =?${longCs}?B?${b64(BUYER_OTHER)}?=`,
            `Content-Type: text/plain; charset="${BUYER_OTHER}"`,
            '',
            'hi',
          ]),
      },
    ];
    const delivered = await sendTagged(
      h,
      BUYER.address,
      alias,
      cases.map((c, k) => c.raw(k)),
    );
    expect(
      await leakProblems(
        cases.map((c) => c.label),
        delivered,
        secrets,
      ),
    ).toEqual([]);
    // The note still says what was removed, and why.
    const text = (await simpleParser(delivered[0]!)).text ?? '';
    expect(text).toMatch(/\[text removed: written in a character set .*not read here/);
  }, 180_000);
});

/** `s` (lowercase letters, `@`, `.`) in ISO-2022-JP's JIS X 0208 fullwidth forms, between its escape sequences. */
const jis = (s: string): string => `\x1b$B${[...s].map((c) => (c === '@' ? '!w' : c === '.' ? '!%' : `#${c}`)).join('')}\x1b(B`;

/**
 * The text a browser shows for a saved file (WHATWG Encoding and HTML's encoding sniffing): a
 * byte-order mark wins; else a `<meta charset>` in the first 1024 bytes; else, with no label, an
 * escape sequence makes Chrome's and Firefox's detectors read ISO-2022-JP; else UTF-8.
 */
function browserReading(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes);
  const meta = /<meta[^>]*charset\s*=\s*["']?([^"'\s;>]+)/i.exec(bytes.subarray(0, 1024).toString('latin1'));
  let label = meta?.[1] ?? (bytes.includes(0x1b) ? 'iso-2022-jp' : 'utf-8');
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    label = 'utf-8';
    return new TextDecoder(label).decode(bytes);
  }
}

describe('a text file read by a charset written inside it', () => {
  it('arrives so that a browser opening the saved file shows no address either (a byte-order mark settles its charset)', async () => {
    const { h, alias } = pair;
    const file = (type: string, name: string, body: string) => (k: number) =>
      twoParts(k, 'File.', [
        `Content-Type: ${type}; name="${name}"`,
        `Content-Disposition: attachment; filename="${name}"`,
        'Content-Transfer-Encoding: base64',
        '',
        b64(body),
      ]);
    const cases = [
      {
        label: 'text/plain named .html with <meta charset=iso-2022-jp>',
        raw: file('text/plain; charset=utf-8', 'notes.html', `<meta charset="iso-2022-jp"><p>Write to ${jis(BUYER_OTHER)} today</p>`),
      },
      {
        label: 'text/html with escape sequences (its meta removed)',
        raw: file(
          'text/html; charset=utf-8',
          'page.html',
          `<html><head><meta charset="iso-2022-jp"></head><body><p>Write to ${jis(BUYER_OTHER)} today</p></body></html>`,
        ),
      },
      { label: 'text/plain .txt with escape sequences', raw: file('text/plain; charset=utf-8', 'notes.txt', `Write to ${jis(BUYER_OTHER)} today`) },
      {
        label: 'returned headers (text/rfc822-headers) with escape sequences',
        raw: file('text/rfc822-headers', 'returned.txt', `From: Lager <lager@shop.example>\r\nSubject: write to ${jis(BUYER_OTHER)}\r\n`),
      },
      {
        label: 'unlabelled text named .htm, meta in http-equiv form',
        raw: file('text/plain', 'n.htm', `<meta http-equiv="Content-Type" content="text/html; charset=ISO-2022-JP"><p>${jis(BUYER_OTHER)}</p>`),
      },
    ];
    const delivered = await sendTagged(
      h,
      BUYER.address,
      alias,
      cases.map((c, k) => c.raw(k)),
    );
    const problems: unknown[] = [];
    for (const [k, raw] of delivered.entries()) {
      const p = await simpleParser(raw);
      if (p.attachments.length !== 1) problems.push([cases[k]!.label, 'file not kept', p.text]);
      for (const a of p.attachments) {
        const leaks = leakSearchText(browserReading(a.content), secrets, a.filename ?? '');
        if (leaks.length) problems.push([cases[k]!.label, leaks.map((l) => l.excerpt)]);
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
