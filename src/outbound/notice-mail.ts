// Owns queueing a plain automatic notice to staff (a campaign's completion notice): composed,
// DKIM-signed and put in the outbox from the null sender, like every automatic notice.
import { composeMail } from '../relay/compose.js';
import type { GroupCommit } from '../relay/group-commit.js';
import { newRelayMessageId } from '../relay/pipeline.js';
import type { OutboxRepo } from '../store/outbox.js';
import type { Signer } from './dkim.js';

export function noticeQueue(outbox: OutboxRepo, commit: GroupCommit, sign: Signer, domain: string, queued: () => void) {
  return async (to: string, subject: string, text: string): Promise<void> => {
    const now = Date.now();
    const bytes = await sign(
      await composeMail({
        from: { name: 'maskgate', address: `notifications@${domain}` },
        replyTo: null,
        to: { name: '', address: to },
        subject,
        date: new Date(now),
        messageId: newRelayMessageId(domain),
        inReplyTo: null,
        references: [],
        text,
        html: null,
        attachments: [],
        headers: [['Auto-Submitted', 'auto-generated']],
      }),
    );
    await commit.run(() => outbox.enqueue({ messageId: null, kind: 'notice', envFrom: '', envTo: to, raw: bytes }, now));
    queued();
  };
}
