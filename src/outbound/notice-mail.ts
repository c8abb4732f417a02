// Owns queueing a plain automatic notice to staff (a campaign's completion notice): composed,
// DKIM-signed and put in the outbox from the null sender, like every automatic notice.
import type { MailAddress, OutgoingMail } from '../core/types.js';
import { newRelayMessageId, type OutboxEntry } from '../relay/outbox-entry.js';

/** A plain-text automatic notice from notifications@<domain> (RFC 3834: Auto-Submitted). */
export function noticeMail(domain: string, to: MailAddress, subject: string, text: string, now: number): OutgoingMail {
  return {
    from: { name: 'maskgate', address: `notifications@${domain}` },
    replyTo: null,
    to,
    subject,
    date: new Date(now),
    messageId: newRelayMessageId(domain),
    inReplyTo: null,
    references: [],
    text,
    html: null,
    attachments: [],
    headers: [['Auto-Submitted', 'auto-generated']],
  };
}

/** Queues a plain notice to one address through the outbox entry. */
export function noticeQueue(outbox: OutboxEntry, domain: string) {
  return async (to: string, subject: string, text: string): Promise<void> => {
    const now = Date.now();
    await outbox.post([{ mail: noticeMail(domain, { name: '', address: to }, subject, text, now), kind: 'notice', envFrom: '', envTo: to }], { now });
  };
}
