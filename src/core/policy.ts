// Owns `decide`: the pure policy over an identified message. Returns a verdict and the findings
// that led to it; both are stored with the message.
import type { Identity } from './identify.js';
import { normalizeEmail } from './identify.js';
import { judgeSenderAuth, type AuthFacts } from './sender-auth.js';
import { hopCount, MAX_HOPS } from './auto-reply.js';
import { contentRefusal, type ContentRules } from './filters/content-rules.js';
import { checkMessagingRules, isCritical, type RuleFacts } from './messaging-rules.js';
import type { Finding, ParsedMail, PermittedSenderFacts } from './types.js';
import { refusal, type Refusal } from './verdicts.js';

/** How the writer proved who they are. */
export type Proof =
  /** Mail on the MX port: SPF, DKIM and DMARC computed from DNS and the received bytes. */
  | { readonly kind: 'mx'; readonly auth: AuthFacts }
  /** SMTP AUTH on the submission port as the identity's permitted sender. */
  | { readonly kind: 'submission' }
  /** A signed-in staff member or the API token: the shell already checked who it is. */
  | { readonly kind: 'login' }
  /** A buyer or visitor writing on the marketplace's website: the API token vouches for the site. */
  | { readonly kind: 'website' };

export interface DecideContext {
  readonly identity: Identity;
  readonly proof: Proof;
  /** The store's permitted senders, to judge the From header of staff mail. */
  readonly permittedSenders: readonly PermittedSenderFacts[];
  /** Facts for the messaging rules; given for seller → buyer mail. */
  readonly rules?: Omit<RuleFacts, 'subject' | 'body'> | undefined;
  /** Content rules; seller → buyer mail that breaks them is refused (buyer mail is filtered). */
  readonly content?: ContentRules | undefined;
}

export type Decision =
  | {
      readonly verdict: 'accept';
      readonly findings: readonly Finding[];
      readonly critical: boolean;
      readonly criticalToOptedOut: boolean;
      /** Delivered, but the sender's domain did not authenticate it (a buyer's DMARC quarantine, …). */
      readonly suspicious: boolean;
    }
  | { readonly verdict: 'reject'; readonly refusal: Refusal; readonly findings: readonly Finding[] };

export function decide(mail: ParsedMail, ctx: DecideContext): Decision {
  const findings: Finding[] = [];
  const { identity } = ctx;
  const hops = hopCount(mail.headers);
  if (hops >= MAX_HOPS) {
    findings.push({ rule: 'loop', result: 'refused', detail: `${hops} hops` });
    return { verdict: 'reject', refusal: refusal('LOOP_DETECTED', `the message has passed through this relay ${hops} times (mail loop)`), findings };
  }
  if (identity.direction === 'to_owner') return decideForOwner(mail, ctx, identity, findings);
  findings.push({
    rule: 'identity',
    result: identity.direction,
    detail: identity.direction === 'store_to_buyer' ? 'permitted sender' : identity.buyer ? identity.buyer.kind : 'new visitor',
  });

  // The From header must name the same party as the envelope sender: a buyer writes as
  // themselves; staff may write as any enabled permitted sender of the same store (a shared
  // mailbox). Trust proven by SPF/DKIM/DMARC is the trust layer's job; this stops the cheap lie.
  const headerFrom = mail.from ? normalizeEmail(mail.from.address) : null;
  if (ctx.proof.kind === 'submission') {
    // An authenticated sender writes as themselves, not as a colleague.
    if (headerFrom !== identity.senderEmail) {
      findings.push({ rule: 'from-header', result: headerFrom === null ? 'missing' : 'mismatch' });
      return { verdict: 'reject', refusal: refusal('SUBMISSION_SENDER', 'the From header must be your own address'), findings };
    }
    findings.push({ rule: 'from-header', result: 'match' });
  } else if (headerFrom === null) {
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
  let suspicious = false;
  if (ctx.proof.kind === 'mx') {
    const role = identity.direction === 'store_to_buyer' ? 'staff' : 'buyer';
    const judged = judgeSenderAuth(ctx.proof.auth, mail.from?.address ?? identity.senderEmail, role);
    findings.push({ rule: 'sender-auth', result: judged.outcome, detail: judged.reason ? `${judged.summary}; ${judged.reason}` : judged.summary });
    if (judged.outcome === 'ambiguous') return { verdict: 'reject', refusal: refusal('FROM_READ_DIFFERENTLY', judged.reason), findings };
    if (judged.outcome === 'refuse') return { verdict: 'reject', refusal: refusal('AUTH_FAILED', judged.reason), findings };
    if (judged.outcome === 'retry') return { verdict: 'reject', refusal: refusal('AUTH_TEMPORARY', `${judged.reason}; please try again later`), findings };
    suspicious = judged.outcome === 'suspicious';
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
  return { verdict: 'accept', findings, critical: isCritical(mail.subject), criticalToOptedOut, suspicious };
}

/**
 * Mail to postmaster@/abuse@ for the owner: refused like buyer mail when the writer's domain says
 * reject (DMARC, or SPF without DMARC) or when the reading is ambiguous; the content is filtered by
 * the rewrite, never refused. Reports from the null sender are passed on (nothing to prove).
 */
function decideForOwner(mail: ParsedMail, ctx: DecideContext, identity: Extract<Identity, { direction: 'to_owner' }>, findings: Finding[]): Decision {
  findings.push({ rule: 'identity', result: identity.direction, detail: `${identity.role}@` });
  let suspicious = false;
  if (ctx.proof.kind === 'mx') {
    const judged = judgeSenderAuth(ctx.proof.auth, mail.from?.address ?? identity.senderEmail, 'buyer');
    findings.push({ rule: 'sender-auth', result: judged.outcome, detail: judged.reason ? `${judged.summary}; ${judged.reason}` : judged.summary });
    if (judged.outcome === 'ambiguous') return { verdict: 'reject', refusal: refusal('FROM_READ_DIFFERENTLY', judged.reason), findings };
    // Reports often come from the null sender (DSNs, feedback loops), and a mail host's DSN need not
    // align: from <> only what the From domain itself asks for refuses (DMARC p=reject), so a forged
    // "PayPal" from <> does not pass while real reports do.
    const domainAsks = ctx.proof.auth.dmarc.result === 'fail' && ctx.proof.auth.dmarc.policy === 'reject';
    if (judged.outcome === 'refuse' && (!identity.nullSender || domainAsks))
      return { verdict: 'reject', refusal: refusal('AUTH_FAILED', judged.reason), findings };
    if (judged.outcome === 'retry' && !identity.nullSender)
      return { verdict: 'reject', refusal: refusal('AUTH_TEMPORARY', `${judged.reason}; please try again later`), findings };
    suspicious = judged.outcome === 'suspicious';
  }
  return { verdict: 'accept', findings, critical: false, criticalToOptedOut: false, suspicious };
}
