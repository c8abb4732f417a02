// Owns turning an OutgoingMail into the exact RFC 5322 bytes we store and deliver (CRLF line ends,
// no bare LF: nodemailer's MailComposer writes every header and body line itself).
import MailComposer from 'nodemailer/lib/mail-composer';
import type { MailAddress, OutgoingMail } from '../core/types.js';

function addr(a: MailAddress): { name: string; address: string } {
  return { name: a.name, address: a.address };
}

export async function composeMail(mail: OutgoingMail): Promise<Buffer> {
  const headers: Record<string, string> = {};
  for (const [k, v] of mail.headers) headers[k] = v;
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
    attachments: mail.attachments.map((a) => ({
      ...(a.filename ? { filename: a.filename } : {}),
      contentType: a.contentType,
      content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength),
      ...(a.contentId ? { cid: a.contentId.replace(/^<|>$/g, '') } : {}),
      contentDisposition: a.disposition,
    })),
    headers,
    // Never let a header carry a Bcc, and never fetch remote content for a path or href.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const node = composer.compile();
  // No X-Mailer or similar: nodemailer adds none to a compiled MailComposer message.
  node.keepBcc = false;
  return node.build();
}
