// Owns turning a message written in the admin or sent through the API into MIME, so it enters the
// one pipeline exactly like mail from Outlook: same rules, same filters, same outbox.
import { randomBytes } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { tokenFromBytes } from '../core/alias-token.js';
import { toCrlf } from './line-ends.js';

export interface AuthoredMessage {
  readonly from: { readonly name: string; readonly address: string };
  /** The pair alias address. */
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string | undefined;
  /** Relay Message-ID of the message answered (the id the store side saw), if any. */
  readonly inReplyTo?: string | null | undefined;
  readonly attachments?: readonly { readonly filename: string; readonly content: Buffer; readonly contentType?: string | undefined }[];
  /** Domain for the Message-ID of this original (the relay domain). */
  readonly domain: string;
}

export function composeAuthored(m: AuthoredMessage): Promise<Buffer> {
  const composer = new MailComposer({
    from: m.from,
    to: m.to,
    subject: m.subject,
    text: m.text,
    ...(m.html ? { html: m.html } : {}),
    messageId: `<orig-${tokenFromBytes(randomBytes(13))}@${m.domain}>`,
    date: new Date(),
    ...(m.inReplyTo ? { inReplyTo: m.inReplyTo, references: [m.inReplyTo] } : {}),
    attachments: (m.attachments ?? []).map((a) => ({ filename: a.filename, content: a.content, ...(a.contentType ? { contentType: a.contentType } : {}) })),
  });
  return new Promise((resolve, reject) => composer.compile().build((err, raw) => (err ? reject(err) : resolve(toCrlf(raw)))));
}
