// The transfer encoding of each composed text part follows from what it holds, and whatever is
// chosen, a receiver's parser (mailparser, as the sink and most mail software use) gets the text
// back exactly. Real composition: the bytes asserted on are the bytes we would store and send.
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import type { MailAttachment, OutgoingMail } from '../core/types.js';
import { carriesFiles, composeMail } from './compose.js';
import { hasBareLineEnd } from './line-ends.js';
import { outgoingMail } from '../../test/helpers/outgoing-mail.js';

/** The Content-Transfer-Encoding of every part that has one (a single-part message: the message's). */
function encodings(raw: Buffer): string[] {
  return [...raw.toString('latin1').matchAll(/^Content-Transfer-Encoding: ([\w-]+)\r$/gim)].map((m) => m[1]!.toLowerCase());
}

/** The longest line of the composed message, in octets, CRLF excluded. */
function longestLine(raw: Buffer): number {
  let longest = 0;
  let start = 0;
  for (let i = raw.indexOf('\r\n'); i !== -1; i = raw.indexOf('\r\n', i + 2)) {
    longest = Math.max(longest, i - start);
    start = i + 2;
  }
  return longest;
}

const ASCII_LINE = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789 ok';

describe('composing a text part', () => {
  it('sends 1 MiB of ASCII text with 79-character lines as 7bit, at most 1.05 times its size, and the receiver reads it back exactly', async () => {
    const text = `${ASCII_LINE}\n`.repeat(Math.ceil((1024 * 1024) / (ASCII_LINE.length + 1)));
    const raw = await composeMail(outgoingMail({ text }));
    expect(encodings(raw)).toEqual(['7bit']);
    expect(raw.length).toBeLessThanOrEqual(1.05 * Buffer.byteLength(text));
    expect(hasBareLineEnd(raw)).toBe(false);
    expect((await simpleParser(raw)).text).toBe(text);
  });

  it('composes several 7bit messages at once and one after another, each with its own text, though their part bytes share a buffer', async () => {
    // The 7bit part's bytes are built in a buffer the thread reuses (scratch.ts): a message composed
    // while another one is being built must not write into the bytes that one is still reading.
    const texts = ['first', 'second', 'third', 'fourth'].map((w) => `${w} ${ASCII_LINE}\n`.repeat(3000 + w.length));
    const together = await Promise.all(texts.map((text) => composeMail(outgoingMail({ text, html: `<p>${text}</p>` }))));
    const apart: Buffer[] = [];
    for (const text of texts) apart.push(await composeMail(outgoingMail({ text, html: `<p>${text}</p>` })));
    for (const [i, text] of texts.entries()) {
      for (const raw of [together[i] as Buffer, apart[i] as Buffer]) {
        expect(encodings(raw)).toEqual(['7bit', '7bit']);
        const read = await simpleParser(raw);
        expect(read.text).toBe(text);
        expect(read.html).toBe(`<p>${text}</p>`);
      }
    }
  });

  it('sends lines of 998 characters as 7bit, but a line of 1000 as quoted-printable, and every line goes out at most 998 octets long', async () => {
    const at998 = `${'a'.repeat(998)}\nshort\n`;
    const raw998 = await composeMail(outgoingMail({ text: at998 }));
    expect(encodings(raw998)).toEqual(['7bit']);
    expect((await simpleParser(raw998)).text).toBe(at998);

    const at1000 = `${'b'.repeat(1000)}\nshort\n`;
    const raw1000 = await composeMail(outgoingMail({ text: at1000 }));
    expect(encodings(raw1000)).toEqual(['quoted-printable']);
    expect(longestLine(raw1000)).toBeLessThanOrEqual(998);
    expect((await simpleParser(raw1000)).text).toBe(at1000);
  });

  it('sends a text with a line ending in blanks as quoted-printable, so a relay that strips them cannot change it, and the blanks arrive', async () => {
    const text = 'Dear Acme,\nthe parcel is here  \nwith a tab\t\nJane\n';
    const raw = await composeMail(outgoingMail({ text }));
    expect(encodings(raw)).toEqual(['quoted-printable']);
    expect(raw.toString('latin1')).not.toMatch(/[ \t]\r\n/);
    expect((await simpleParser(raw)).text).toBe(text);
  });

  it('keeps a bare CR in the text exactly: it goes as base64 (quoted-printable would carry it as a line break)', async () => {
    const text = 'progress: 10%\r20%\r100%\nDone.\n';
    const raw = await composeMail(outgoingMail({ text }));
    expect(encodings(raw)).toEqual(['base64']);
    expect(hasBareLineEnd(raw)).toBe(false);
    expect((await simpleParser(raw)).text).toBe(text);
  });

  it('sends accented prose as quoted-printable and CJK text as base64, whichever is smaller, and both arrive exactly', async () => {
    const prose = 'Nous avons bien reçu votre commande et elle sera expédiée dès que possible, merci à vous.\n'.repeat(20);
    const rawProse = await composeMail(outgoingMail({ text: prose }));
    expect(encodings(rawProse)).toEqual(['quoted-printable']);
    expect((await simpleParser(rawProse)).text).toBe(prose);

    const cjk = '吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。\n'.repeat(20);
    const rawCjk = await composeMail(outgoingMail({ text: cjk }));
    expect(encodings(rawCjk)).toEqual(['base64']);
    expect((await simpleParser(rawCjk)).text).toBe(cjk);
  });

  it('chooses for the text and the HTML part each on its own, and leaves an attachment base64', async () => {
    const text = 'Hello Acme,\nsee the photo.\n';
    const html = '<p>Hello Acme,</p>\n<p>voilà la photo.</p>\n';
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    const attachment: MailAttachment = { filename: 'photo.png', contentType: 'image/png', content: png, contentId: null, disposition: 'attachment' };
    const raw = await composeMail(outgoingMail({ text, html, attachments: [attachment] }));
    expect(encodings(raw)).toEqual(['7bit', 'quoted-printable', 'base64']);
    expect(hasBareLineEnd(raw)).toBe(false);
    const parsed = await simpleParser(raw);
    expect(parsed.text).toBe(text);
    expect(parsed.html).toBe(html);
    expect(parsed.attachments.map((a) => [a.filename, a.content.equals(png)])).toEqual([['photo.png', true]]);
  });

  it('sends a calendar invitation whose folded line ends in a blank as quoted-printable, and the invitation arrives exactly', async () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'METHOD:REQUEST',
      'BEGIN:VEVENT',
      'SUMMARY:Call about order A-1001 ',
      ' and the invoice',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const invite: MailAttachment = {
      filename: 'invite.ics',
      contentType: 'text/calendar; method=REQUEST',
      content: Buffer.from(ics),
      contentId: null,
      disposition: 'attachment',
    };
    const raw = await composeMail(outgoingMail({ text: 'See the invitation.\n', attachments: [invite] }));
    const calendarPart = /Content-Type: text\/calendar[^]*?\r\n\r\n/.exec(raw.toString('latin1'))?.[0] ?? '';
    expect(calendarPart).toMatch(/Content-Transfer-Encoding: quoted-printable/);
    expect(raw.toString('latin1')).not.toMatch(/[ \t]\r\n/);
    const parsed = await simpleParser(raw);
    const calendar = parsed.attachments.find((a) => a.contentType === 'text/calendar');
    expect(calendar?.content.toString()).toBe(ics);
  });
});

describe('composing a delivery report', () => {
  it('sends a masked message/delivery-status (a part nodemailer writes as it is) with no line over 998 octets and none ending in a blank', async () => {
    const { maskReport } = await import('../core/masking/report-part.js');
    // A remote MTA's report: a trailing blank after a field, and a Diagnostic-Code folded over many lines.
    const diagnostic = Array.from({ length: 40 }, (_, i) => `part${i} of a long remote reply from the receiving server`).join('\r\n   ');
    const source = `Reporting-MTA: dns; mx.remote.example  \r\n\r\nFinal-Recipient: rfc822; support@acme.example\r\nAction: failed \t\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 ${diagnostic}\r\n`;
    const report = maskReport(source, (s) => s);
    const attachment: MailAttachment = {
      filename: null,
      contentType: 'message/delivery-status',
      content: new TextEncoder().encode(report),
      contentId: null,
      disposition: 'attachment',
    };
    const raw = await composeMail(outgoingMail({ text: 'Your message could not be delivered.\n', attachments: [attachment] }));
    expect(longestLine(raw)).toBeLessThanOrEqual(998);
    const blankEnded = raw
      .toString('latin1')
      .split('\r\n')
      .filter((l) => /[ \t]$/.test(l));
    expect(blankEnded).toEqual([]);
    // The receiver still reads every field, the whole diagnostic unfolded.
    const parsed = await simpleParser(raw);
    const got = parsed.attachments.find((a) => a.contentType === 'message/delivery-status');
    const fields = got!.content.toString('utf8').replace(/\r\n[ \t]+/g, ' ');
    expect(fields).toContain('Action: failed');
    expect(fields).toContain('Reporting-MTA: dns; mx.remote.example');
    expect(fields.replace(/\s+/g, ' ')).toContain(`550 ${diagnostic.replace(/\s+/g, ' ')}`);
  });
});

describe('composing an attached message', () => {
  it('writes an attached message (message/rfc822, as it is) with no line ending in a blank, its header values read the same', async () => {
    const nested: OutgoingMail = {
      ...outgoingMail({ text: 'the order arrived\n' }),
      subject: 'Re: my order   ',
      headers: [
        ['keywords', 'kettle,   '],
        ['x-note', `${'word '.repeat(300)} \t`],
      ],
    };
    const attachment: MailAttachment = {
      filename: null,
      contentType: 'message/rfc822',
      content: new Uint8Array(0),
      contentId: null,
      disposition: 'attachment',
      nested,
    };
    const raw = await composeMail(outgoingMail({ text: 'see the attached message\n', attachments: [attachment] }));
    const blankEnded = raw
      .toString('latin1')
      .split('\r\n')
      .filter((l) => /[ \t]$/.test(l));
    expect(blankEnded).toEqual([]);
    expect(longestLine(raw)).toBeLessThanOrEqual(998);
    const inner = await simpleParser((await simpleParser(raw)).attachments[0]!.content);
    expect(inner.subject).toBe('Re: my order');
    expect(inner.headers.get('keywords')).toEqual('kettle,');
    expect(inner.text).toBe('the order arrived\n');
  });
});

describe('carriesFiles (the inbox paperclip)', () => {
  const file = (over: Partial<MailAttachment> = {}): MailAttachment => ({
    filename: 'a.pdf',
    contentType: 'application/pdf',
    content: Buffer.from('%PDF-1.4 x'),
    contentId: null,
    disposition: 'attachment',
    ...over,
  });
  const inlineImage = file({ filename: 'logo.png', contentType: 'image/png', contentId: '<logo@x>', disposition: 'inline' });
  const message = (attachments: MailAttachment[], text = 'hello\n'): OutgoingMail => outgoingMail({ text, attachments });
  const attached = (nested: OutgoingMail, disposition: 'attachment' | 'inline'): MailAttachment =>
    file({ filename: null, contentType: 'message/rfc822', content: new Uint8Array(0), disposition, nested });
  const invite = file({
    filename: 'invite.ics',
    contentType: 'text/calendar; method=REQUEST',
    content: Buffer.from('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n'),
    disposition: 'inline',
  });

  it.each([
    ['no attachment', message([]), false],
    ['a file', message([file()]), true],
    ['an inline image only', message([inlineImage]), false],
    ['an inline image and a file', message([inlineImage, file()]), true],
    ['a calendar invitation (nodemailer attaches its .ics)', message([invite]), true],
    ['an attached message', message([attached(message([]), 'attachment')]), true],
    ['an inline message without files', message([attached(message([]), 'inline')]), false],
    ['an inline message with a file', message([attached(message([file()]), 'inline')]), true],
  ])('says %s carries a file part exactly when the composed bytes hold one', async (_, mail, files) => {
    expect(carriesFiles(mail)).toBe(files);
    expect((await composeMail(mail)).includes('Content-Disposition: attachment')).toBe(files);
  });

  it('does not read a text quoting the header as a file part (the byte search did)', async () => {
    const mail = message([], 'the part said\nContent-Disposition: attachment; filename=a.pdf\n');
    expect(carriesFiles(mail)).toBe(false);
    expect((await composeMail(mail)).includes('Content-Disposition: attachment')).toBe(true);
  });
});
