// Owns mail to postmaster@ and abuse@ every relay domain (RFC 5321 §4.5.1, RFC 2142 §2): it goes
// to the owner, through the same header reading, proof and content filters as buyer mail, composed
// anew like every message we deliver. It is not a conversation: no pair, no message row; one
// outbox row from the null sender, so a failure never bounces back to a stranger.
import type { RoleMailbox } from '../core/alias-token.js';
import { hopCount, MAX_HOPS } from '../core/auto-reply.js';
import type { ContentRules } from '../core/filters/content-rules.js';
import type { Proof } from '../core/policy.js';
import { rewrite, type Rewritten } from '../core/rewrite.js';
import { judgeSenderAuth } from '../core/sender-auth.js';
import type { ParsedMail } from '../core/types.js';
import { refusal, type Refusal } from '../core/verdicts.js';

export interface RoleMailContext {
  readonly role: RoleMailbox;
  readonly domain: string;
  /** The owner's address (smtp.postmaster, or the first owner account's). */
  readonly deliverTo: string;
  readonly envelopeFrom: string;
  readonly proof: Proof;
  readonly content: ContentRules;
  readonly messageId: string;
  readonly now: Date;
}

/**
 * The message the owner receives, or why it is refused: a loop, or a writer whose domain's DMARC
 * (or SPF) says reject, as for buyers. Reports often come from the null sender (DSNs, feedback
 * loops): those are passed on unless their From domain's DMARC says reject (SPF then spoke only
 * for the HELO name, which a mail host's DSN need not align with).
 */
export async function roleForward(mail: ParsedMail, ctx: RoleMailContext): Promise<Rewritten | Refusal> {
  const hops = hopCount(mail.headers);
  if (hops >= MAX_HOPS) return refusal('LOOP_DETECTED', `the message has passed through this relay ${hops} times (mail loop)`);
  const from = mail.from?.address ?? '';
  if (ctx.proof.kind === 'mx') {
    const judged = judgeSenderAuth(ctx.proof.auth, from, 'buyer');
    if (judged.outcome === 'ambiguous') return refusal('FROM_READ_DIFFERENTLY', judged.reason);
    // From the null sender only what the From domain itself asks for refuses (DMARC p=reject):
    // a mail host's DSN often carries nothing aligned, but a forged "PayPal" from <> must not pass.
    const nullSender = ctx.envelopeFrom === '';
    const domainAsks = ctx.proof.auth.dmarc.result === 'fail' && ctx.proof.auth.dmarc.policy === 'reject';
    if (judged.outcome === 'refuse' && (!nullSender || domainAsks)) return refusal('AUTH_FAILED', judged.reason);
    if (judged.outcome === 'retry' && !nullSender) return refusal('AUTH_TEMPORARY', `${judged.reason}; please try again later`);
  }
  const mailbox = `${ctx.role}@${ctx.domain}`;
  const { message, changes } = await rewrite(mail, {
    direction: 'buyer_to_store',
    aliasAddress: mailbox,
    store: { id: 0, slug: ctx.role, name: mailbox, mailbox: ctx.deliverTo },
    // The writer is not a buyer: the owner sees who wrote, and can answer them.
    buyer: { name: mail.from?.name || from, email: from },
    hide: { addresses: [], names: [] },
    messageId: ctx.messageId,
    threading: { inReplyTo: null, references: [], dropped: 0 },
    now: ctx.now,
    content: ctx.content,
  });
  return {
    message: {
      ...message,
      from: { name: `${mailbox} for ${from || 'an unknown sender'}`.slice(0, 120), address: mailbox },
      replyTo: from ? { name: '', address: from } : null,
      to: { name: '', address: ctx.deliverTo },
      subject: `[${mailbox}] ${message.subject}`.slice(0, 250),
    },
    changes,
  };
}
