// Owns queueing a plain automatic notice to staff (a campaign's completion notice): composed,
// DKIM-signed and put in the outbox from the null sender, like every automatic notice.
import type { MailAddress, OutgoingMail } from '../core/types.js';
import { composeMail } from '../relay/compose.js';
import type { GroupCommit } from '../relay/group-commit.js';
import { newRelayMessageId } from '../relay/pipeline.js';
import type { OutboxRepo } from '../store/outbox.js';
import type { Signer } from './dkim.js';

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

export function noticeQueue(outbox: OutboxRepo, commit: GroupCommit, sign: Signer, domain: string, queued: () => void) {
  return async (to: string, subject: string, text: string): Promise<void> => {
    const now = Date.now();
    const bytes = await sign(await composeMail(noticeMail(domain, { name: '', address: to }, subject, text, now)));
    await commit.run(() => outbox.enqueue({ messageId: null, kind: 'notice', envFrom: '', envTo: to, raw: bytes }, now));
    queued();
  };
}
