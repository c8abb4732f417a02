// Owns `decide`: the pure policy over an identified message. Returns a verdict and the findings
// that led to it; both are stored with the message.
import type { Identity } from './identify.js';
import { normalizeEmail } from './identify.js';
import { hopCount, MAX_HOPS } from './auto-reply.js';
import { contentRefusal, type ContentRules } from './filters/content-rules.js';
import { checkMessagingRules, isCritical, type RuleFacts } from './messaging-rules.js';
import type { Finding, ParsedMail, PermittedSenderFacts } from './types.js';
import { refusal, type Refusal } from './verdicts.js';

export interface DecideContext {
  readonly identity: Identity;
  /** The store's permitted senders, to judge the From header of staff mail. */
  readonly permittedSenders: readonly PermittedSenderFacts[];
  /** Facts for the messaging rules; given for seller → buyer mail. */
  readonly rules?: Omit<RuleFacts, 'subject' | 'body'> | undefined;
  /** Content rules; seller → buyer mail that breaks them is refused (buyer mail is filtered). */
  readonly content?: ContentRules | undefined;
}

export type Decision =
  | { readonly verdict: 'accept'; readonly findings: readonly Finding[]; readonly critical: boolean; readonly criticalToOptedOut: boolean }
  | { readonly verdict: 'reject'; readonly refusal: Refusal; readonly findings: readonly Finding[] };

export function decide(mail: ParsedMail, ctx: DecideContext): Decision {
  const findings: Finding[] = [];
  const { identity } = ctx;
  const hops = hopCount(mail.headers);
  if (hops >= MAX_HOPS) {
    findings.push({ rule: 'loop', result: 'refused', detail: `${hops} hops` });
    return { verdict: 'reject', refusal: refusal('LOOP_DETECTED', `the message has passed through this relay ${hops} times (mail loop)`), findings };
  }
  findings.push({
    rule: 'identity',
    result: identity.direction,
    detail: identity.direction === 'store_to_buyer' ? 'permitted sender' : identity.buyer ? identity.buyer.kind : 'new visitor',
  });

  // The From header must name the same party as the envelope sender: a buyer writes as
  // themselves; staff may write as any enabled permitted sender of the same store (a shared
  // mailbox). Trust proven by SPF/DKIM/DMARC is the trust layer's job; this stops the cheap lie.
  const headerFrom = mail.from ? normalizeEmail(mail.from.address) : null;
  if (headerFrom === null) {
    findings.push({ rule: 'from-header', result: 'missing' });
  } else if (identity.direction === 'buyer_to_store') {
    if (headerFrom !== identity.senderEmail) {
      findings.push({ rule: 'from-header', result: 'mismatch' });
      return { verdict: 'reject', refusal: refusal('FROM_MISMATCH'), findings };
    }
    findings.push({ rule: 'from-header', result: 'match' });
  } else {
    const ok = ctx.permittedSenders.some((p) => p.status === 'enabled' && normalizeEmail(p.email) === headerFrom);
    if (!ok) {
      findings.push({ rule: 'from-header', result: 'mismatch' });
      return { verdict: 'reject', refusal: refusal('FROM_MISMATCH', 'the From header is not an enabled permitted sender of this store'), findings };
    }
    findings.push({ rule: 'from-header', result: 'match' });
  }
  let criticalToOptedOut = false;
  if (identity.direction === 'store_to_buyer' && ctx.rules) {
    const outcome = checkMessagingRules({ ...ctx.rules, subject: mail.subject, body: mail.text ?? mail.html ?? '' });
    findings.push(...outcome.findings);
    if (outcome.refusal) return { verdict: 'reject', refusal: outcome.refusal, findings };
    criticalToOptedOut = outcome.criticalToOptedOut;
  }
  if (identity.direction === 'store_to_buyer' && ctx.content) {
    const refused = contentRefusal(mail, ctx.content);
    if (refused) {
      findings.push({ rule: 'content', result: 'refused', detail: refused.code });
      return { verdict: 'reject', refusal: refused, findings };
    }
    findings.push({ rule: 'content', result: 'passed' });
  }
  return { verdict: 'accept', findings, critical: isCritical(mail.subject), criticalToOptedOut };
}
