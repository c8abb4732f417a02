// Owns reading an asynchronous bounce: is it a permanent failure, a delay, or unclear? Reads the
// RFC 3464 delivery-status fields (Action, Status, Diagnostic-Code) that parsers append as text,
// with a fallback on the subject lines of MTAs that send no DSN.

const latin1 = new TextDecoder('latin1');

export interface BounceReport {
  readonly kind: 'hard' | 'soft' | 'unknown';
  readonly status: string | null;
  readonly diagnostic: string | null;
}

const STATUS = /^Status:[ \t]*([245])\.(\d{1,3})\.(\d{1,3})/im;
const ACTION = /^Action:[ \t]*(failed|delayed|delivered|relayed|expanded)/im;
const DIAGNOSTIC = /^Diagnostic-Code:[ \t]*([^\r\n]{1,300})/im;
const FAILURE_SUBJECT = /undeliver|delivery status notification \(failure\)|returned mail|failure notice|mail delivery failed/i;

export function readBounce(subject: string, text: string): BounceReport {
  const status = STATUS.exec(text);
  const action = ACTION.exec(text)?.[1]?.toLowerCase() ?? null;
  const diagnostic = DIAGNOSTIC.exec(text)?.[1]?.trim() ?? null;
  const code = status ? `${status[1]}.${status[2]}.${status[3]}` : null;
  if (action === 'delayed' || status?.[1] === '4') return { kind: 'soft', status: code, diagnostic };
  if (action === 'failed' || status?.[1] === '5') return { kind: 'hard', status: code, diagnostic };
  if (action === 'delivered' || action === 'relayed' || action === 'expanded') return { kind: 'unknown', status: code, diagnostic };
  return { kind: FAILURE_SUBJECT.test(subject) ? 'hard' : 'unknown', status: code, diagnostic };
}

/** How far into a part returnedMessageIds looks for the end of its header section (bytes). */
export const RETURNED_HEADERS_SCAN = 256 * 1024;
/** How many Message-IDs returnedMessageIds gives at most. */
export const RETURNED_IDS_MAX = 16;

const FIELD = /^([!-9;-~]+)[ \t]*:(.*)$/;
const MSG_ID = /<[^<>\s]{1,500}>/g;

/**
 * The Message-IDs (RFC 5322 §3.6.4, `<id-left@id-right>` as written, at most RETURNED_IDS_MAX) that the
 * header section a part begins with names in its Message-ID fields (any field named `…message-id`:
 * Message-ID, Resent-Message-ID, Original-Message-ID): what a bounce returning the message (RFC 3464
 * §2, a whole message or its headers, RFC 3462) quotes of it when the part is not read as text.
 * Fields are read by RFC 5322 §2.2 (name, colon, value; folded lines unfolded, §2.2.3), CRLF or LF;
 * the section ends at its empty line, at a line that is neither a field nor a continuation (a PDF's
 * `%PDF-1.7`: nothing), or after RETURNED_HEADERS_SCAN bytes. Linear in those bytes; [] when none.
 */
export function returnedMessageIds(bytes: Uint8Array): string[] {
  const head = bytes.subarray(0, RETURNED_HEADERS_SCAN);
  const ids: string[] = [];
  let field: string | null = null;
  const take = () => {
    const m = field === null ? null : FIELD.exec(field);
    if (m && m[1]!.toLowerCase().endsWith('message-id')) for (const id of m[2]!.match(MSG_ID) ?? []) if (ids.length < RETURNED_IDS_MAX) ids.push(id);
    field = null;
  };
  for (let at = 0; at < head.length && ids.length < RETURNED_IDS_MAX;) {
    let end = head.indexOf(0x0a, at);
    if (end < 0) end = head.length;
    let line = latin1.decode(head.subarray(at, end));
    if (line.endsWith('\r')) line = line.slice(0, -1);
    at = end + 1;
    if (field !== null && (line.startsWith(' ') || line.startsWith('\t'))) {
      field += line;
      continue;
    }
    take();
    if (!FIELD.test(line)) break;
    field = line;
  }
  take();
  return ids;
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
