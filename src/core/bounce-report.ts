// Owns reading an asynchronous bounce: is it a permanent failure, a delay, or unclear? Reads the
// RFC 3464 delivery-status fields (Action, Status, Diagnostic-Code) that parsers append as text,
// with a fallback on the subject lines of MTAs that send no DSN.

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
