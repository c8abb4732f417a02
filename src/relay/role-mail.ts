// Owns what mail to postmaster@ and abuse@ every relay domain (RFC 5321 §4.5.1, RFC 2142 §2) looks
// like for the owner who reads it. Such mail travels the one pipeline like any other: identify
// names the role mailbox as its target (core/identify.ts, direction 'to_owner'), decide rules on it
// (core/policy.ts: a loop, or a writer whose domain says reject, is refused), the rewrite stage
// masks and filters it with the buyer-mail rules through this context, and the commit queues it.
// It is not a conversation: no pair, no message row; one outbox row from the null sender, so a
// failure never bounces back to a stranger.
import type { Identity } from '../core/identify.js';
import type { RewriteContext } from '../core/rewrite.js';
import type { ContentRules } from '../core/filters/content-rules.js';
import type { OutgoingMail, ParsedMail } from '../core/types.js';

type ToOwner = Extract<Identity, { direction: 'to_owner' }>;

/** The rewrite context for mail to a role mailbox: buyer-mail filters, nothing of the writer hidden. */
export function roleRewriteContext(mail: ParsedMail, id: ToOwner, domain: string, content: ContentRules, messageId: string, now: Date): RewriteContext {
  const from = mail.from?.address ?? '';
  const mailbox = `${id.role}@${domain}`;
  return {
    direction: 'buyer_to_store',
    aliasAddress: mailbox,
    store: { id: 0, slug: id.role, name: mailbox, mailbox: id.deliverTo },
    // The writer is not a buyer: the owner sees who wrote, and can answer them.
    buyer: { name: mail.from?.name || from, email: from },
    hide: { addresses: [], names: [] },
    messageId,
    threading: { inReplyTo: null, references: [], dropped: 0 },
    now,
    content,
  };
}

/** The rewritten message as the owner receives it: from the role mailbox, replies to the writer. */
export function addressedToOwner(message: OutgoingMail, writer: string, id: ToOwner, domain: string): OutgoingMail {
  const mailbox = `${id.role}@${domain}`;
  return {
    ...message,
    from: { name: `${mailbox} for ${writer || 'an unknown sender'}`.slice(0, 120), address: mailbox },
    replyTo: writer ? { name: '', address: writer } : null,
    to: { name: '', address: id.deliverTo },
    subject: `[${mailbox}] ${message.subject}`.slice(0, 250),
  };
}
