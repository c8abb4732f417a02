// Owns turning an OutgoingMail into the exact RFC 5322 bytes we store and deliver (CRLF line ends,
// no bare LF: nodemailer's MailComposer writes every header and body line itself).
import MailComposer from 'nodemailer/lib/mail-composer';
import type { MailAddress, MailAttachment, OutgoingMail } from '../core/types.js';
import { toCrlf } from './line-ends.js';

function addr(a: MailAddress): { name: string; address: string } {
  return { name: a.name, address: a.address };
}

// nodemailer scans every character of a text part to choose quoted-printable or base64; on a 1 MB
// body that scan costs more than the encoding. A sample of the start decides just as well.
const SAMPLE = 4096;

function countSample(text: string, counts: { latin: number; other: number }): void {
  const end = Math.min(text.length, SAMPLE);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x08 || c === 0x0b || c === 0x0c || (c >= 0x0e && c <= 0x1f) || c >= 0x80) counts.other++;
    else if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) counts.latin++;
  }
}

/** Above this, base64 (native) beats quoted-printable (a JS loop, ~20 ms a MB) for text parts. */
const LARGE_TEXT = 128 * 1024;

/**
 * 'Q' (quoted-printable) for mostly Latin text, 'B' (base64) otherwise, judged on a sample; large
 * bodies always get base64, which costs a fraction of the time to encode.
 */
export function preferredTextEncoding(mail: Pick<OutgoingMail, 'text' | 'html' | 'subject'>): 'Q' | 'B' {
  if ((mail.text?.length ?? 0) > LARGE_TEXT || (mail.html?.length ?? 0) > LARGE_TEXT) return 'B';
  const counts = { latin: 0, other: 0 };
  countSample(mail.subject, counts);
  countSample(mail.text ?? '', counts);
  countSample(mail.html ?? '', counts);
  return counts.other < counts.latin ? 'Q' : 'B';
}

const CALENDAR = /^text\/calendar\b/i;

/**
 * An attachment's bytes: an attached message rebuilt by the rewrite is composed here, with the
 * same composer, so its boundaries and encodings are ours too.
 */
async function attachmentContent(a: MailAttachment): Promise<Buffer> {
  if (a.nested) return composeMail(a.nested);
  return Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength);
}

export async function composeMail(mail: OutgoingMail): Promise<Buffer> {
  const headers: Record<string, string> = {};
  for (const [k, v] of mail.headers) headers[k] = v;
  // A calendar invitation stays an invitation (RFC 6047): text/calendar with its method, as an
  // alternative beside the text, the way Outlook and Gmail send and expect it.
  const invite = mail.attachments.find((a) => CALENDAR.test(a.contentType) && /method=/i.test(a.contentType));
  const attachments = [];
  for (const a of mail.attachments) {
    if (a === invite) continue;
    attachments.push({
      ...(a.filename ? { filename: a.filename } : {}),
      contentType: a.contentType,
      content: await attachmentContent(a),
      ...(a.contentId ? { cid: a.contentId.replace(/^<|>$/g, '') } : {}),
      contentDisposition: a.disposition,
    });
  }
  const composer = new MailComposer({
    from: addr(mail.from),
    to: addr(mail.to),
    ...(mail.replyTo ? { replyTo: addr(mail.replyTo) } : {}),
    subject: mail.subject,
    date: mail.date,
    messageId: mail.messageId,
    ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
    ...(mail.references.length ? { references: [...mail.references] } : {}),
    ...(mail.text !== null ? { text: mail.text } : {}),
    ...(mail.html !== null ? { html: mail.html } : {}),
    attachments,
    ...(invite
      ? {
          icalEvent: {
            method: /method=([A-Za-z-]{1,20})/i.exec(invite.contentType)?.[1] ?? 'PUBLISH',
            content: new TextDecoder().decode(invite.content),
            ...(invite.filename ? { filename: invite.filename } : {}),
          },
        }
      : {}),
    headers,
    textEncoding: preferredTextEncoding(mail),
    // Never let a header carry a Bcc, and never fetch remote content for a path or href.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const node = composer.compile();
  // No X-Mailer or similar: nodemailer adds none to a compiled MailComposer message.
  node.keepBcc = false;
  return toCrlf(await node.build());
}
