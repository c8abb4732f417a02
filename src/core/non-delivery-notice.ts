// Owns the short, masked non-delivery notice sent to a message's author when delivery fails for
// good. Sent from the null sender (RFC 5321 §4.5.5) and marked Auto-Submitted (RFC 3834), so no
// notice is ever answered or bounced; notices themselves never trigger notices. The text is ours;
// of what the remote side said only one scrubbed line goes in (no address, no link), since a
// forged report must not put its words in a DKIM-signed mail to staff.
import { maskText } from './body-scrub.js';
import { oneLineStatus } from './bounce-report.js';
import { redactAddresses } from './redact-addresses.js';
import type { OutgoingMail } from './types.js';

export interface NoticeInput {
  readonly authorEmail: string;
  readonly relayDomain: string;
  /** Whom the author wrote to, as the author knows them: a display name and the alias. */
  readonly recipientName: string;
  readonly aliasAddress: string;
  /** The real address that failed: never shown, masked out of the reason. */
  readonly failedAddress: string;
  readonly subject: string;
  readonly reason: string;
  readonly attempts: number;
  readonly messageId: string;
  readonly inReplyTo: string | null;
  readonly now: Date;
}

export function buildNotice(n: NoticeInput): OutgoingMail {
  // The failed address becomes the alias; any other (a forwarding target named in the remote
  // reply, a colleague) keeps only its domain: a notice quotes no address but aliases.
  const masked = maskText(n.reason, { addresses: [n.failedAddress], names: [] }, { address: n.aliasAddress, name: n.recipientName }).value;
  const reason = oneLineStatus(redactAddresses(masked, [n.relayDomain]));
  const text = [
    `Your message to ${n.recipientName} <${n.aliasAddress}> could not be delivered.`,
    '',
    `Subject: ${n.subject || '(no subject)'}`,
    `Attempts: ${n.attempts}`,
    `Reason: ${reason}`,
    '',
    'This is an automatic notice; replies to it are not read.',
  ].join('\n');
  return {
    from: { name: 'Mail Delivery System', address: `mailer-daemon@${n.relayDomain}` },
    replyTo: null,
    to: { name: '', address: n.authorEmail },
    subject: `Undeliverable: ${n.subject || '(no subject)'}`.slice(0, 250),
    date: n.now,
    messageId: n.messageId,
    inReplyTo: n.inReplyTo,
    references: n.inReplyTo ? [n.inReplyTo] : [],
    text,
    html: null,
    attachments: [],
    headers: [['auto-submitted', 'auto-replied']],
  };
}
