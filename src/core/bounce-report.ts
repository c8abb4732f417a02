// Owns reading an asynchronous bounce: is it a permanent failure, a delay, or unclear? Reads the
// RFC 3464 delivery-status fields (Action, Status, Diagnostic-Code) that parsers append as text,
// with a fallback, for MTAs that send no DSN, on the reply their text quotes and on the subject.

export interface BounceReport {
  readonly kind: 'hard' | 'soft' | 'unknown';
  readonly status: string | null;
  readonly diagnostic: string | null;
  /**
   * The addresses its Final-Recipient fields name (RFC 3464 §2.3.2), lowercased; empty when it has
   * none (no DSN). Another address than the one we sent to is a forwarding target that failed.
   */
  readonly finalRecipients: readonly string[];
}

const STATUS = /^Status:[ \t]*([245])\.(\d{1,3})\.(\d{1,3})/im;
const ACTION = /^Action:[ \t]*(failed|delayed|delivered|relayed|expanded)/im;
const FINAL_RECIPIENT = /^Final-Recipient:[ \t]*[^;\r\n]*;[ \t]*<?([^\s<>]{1,320}?)>?[ \t]*$/gim;
const DIAGNOSTIC = /^Diagnostic-Code:[ \t]*([^\r\n]{1,300})/im;
const FAILURE_SUBJECT = /undeliver|delivery status notification \(failure\)|returned mail|failure notice|mail delivery failed/i;

/**
 * A bounce that is no DSN (qmail's "failure notice", some helpdesks) quotes the remote reply in its
 * text: `550 5.1.1 …` (the enhanced code's class the reply code's, RFC 2034 §4) or qmail's `(#5.1.1)`.
 */
const QUOTED_REPLY = /(?:^|[\s:;])(?:([245])\d\d[ -]|\(#)([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])/gm;

function quotedStatus(text: string): RegExpExecArray | null {
  QUOTED_REPLY.lastIndex = 0;
  for (let m = QUOTED_REPLY.exec(text); m; m = QUOTED_REPLY.exec(text)) if (m[1] === undefined || m[1] === m[2]) return m;
  return null;
}

export function readBounce(subject: string, text: string): BounceReport {
  const field = STATUS.exec(text);
  const quoted = field ? null : quotedStatus(text);
  const status = field ? [field[1], field[2], field[3]] : quoted ? [quoted[2], quoted[3], quoted[4]] : null;
  const action = ACTION.exec(text)?.[1]?.toLowerCase() ?? null;
  const diagnostic = DIAGNOSTIC.exec(text)?.[1]?.trim() ?? null;
  const finalRecipients = [...text.matchAll(FINAL_RECIPIENT)].slice(0, 16).map((m) => (m[1] as string).toLowerCase());
  const code = status ? `${status[0]}.${Number(status[1])}.${Number(status[2])}` : null;
  if (action === 'delayed' || status?.[0] === '4') return { kind: 'soft', status: code, diagnostic, finalRecipients };
  if (action === 'failed' || status?.[0] === '5') return { kind: 'hard', status: code, diagnostic, finalRecipients };
  if (action === 'delivered' || action === 'relayed' || action === 'expanded') return { kind: 'unknown', status: code, diagnostic, finalRecipients };
  return { kind: FAILURE_SUBJECT.test(subject) ? 'hard' : 'unknown', status: code, diagnostic, finalRecipients };
}

/** What we know of the delivery a bounce names, to weigh it as evidence. */
export interface BounceEvidence {
  /** The outbox row the signed bounce address names; null when it is gone. */
  readonly row: { readonly kind: 'relay' | 'notice'; readonly status: string; readonly handedOverAt: number | null } | null;
  /** Whether the bounce quotes the Message-ID of the message we sent in that row. */
  readonly quotesOurMessageId: boolean;
  readonly now: number;
  /** How long after the hand-over a bounce is believed (the bounce address's validity). */
  readonly windowMs: number;
}

export type BounceJudgement = { readonly outcome: 'failed'; readonly reason: string } | { readonly outcome: 'ignored'; readonly reason: string };

/**
 * Whether a bounce is evidence that a delivery failed. Anyone who saw the return address (every
 * recipient does) can write to it, so a report counts only when it quotes the Message-ID we sent
 * (RFC 3462 returned headers, RFC 3464), arrives after we handed the message over and within the
 * window, and reports a permanent failure. Anything else is recorded and changes nothing.
 */
export function judgeBounce(report: BounceReport, e: BounceEvidence): BounceJudgement {
  const row = e.row;
  if (!row || row.kind !== 'relay') return { outcome: 'ignored', reason: 'it names no delivery of a relayed message' };
  if (row.status === 'failed') return { outcome: 'ignored', reason: 'the delivery had already failed' };
  if ((row.status !== 'sent' && row.status !== 'captured') || row.handedOverAt === null) {
    return { outcome: 'ignored', reason: 'the message had not been handed over yet' };
  }
  if (e.now < row.handedOverAt || e.now - row.handedOverAt > e.windowMs) return { outcome: 'ignored', reason: 'it arrived outside the bounce window' };
  if (!e.quotesOurMessageId) return { outcome: 'ignored', reason: 'it does not quote the Message-ID of the message we sent' };
  if (report.kind !== 'hard') return { outcome: 'ignored', reason: report.kind === 'soft' ? 'it reports a delay' : 'it reports no permanent failure' };
  return { outcome: 'failed', reason: `permanent failure${report.status ? ` (${report.status})` : ''}` };
}

const LINK = /\b(?:[a-z][a-z0-9+.-]{1,20}:\/\/|www\.)[^\s<>"')\]]+/gi;

/**
 * A text from a remote server reduced to what may be shown: its first line, links removed,
 * whitespace collapsed, at most `max` characters. Addresses are the caller's to scrub first.
 */
export function oneLineStatus(text: string, max = 200): string {
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  return first.replace(LINK, '[link removed]').replace(/\s+/g, ' ').trim().slice(0, max);
}
