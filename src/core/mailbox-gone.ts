// Owns which enhanced status codes (RFC 3463) say a recipient's mailbox is gone for good: the one
// table a smarthost's refusal at delivery (outbound/worker.ts) and a mailed bounce
// (outbound/bounce-intake.ts) are read by, so both mark a buyer undeliverable alike.

/** `gone`: mail to this address will not be delivered again; `kept`: this message failed, the address may work. */
export type MailboxVerdict = 'gone' | 'kept';

/**
 * Class 5 (permanent) codes only: a 4.x.x is a delay and never says a mailbox is gone. A row is a
 * code or `5.<subject>.*`; the exact code wins over its subject's row; a code in no row is `kept`.
 * Only the buyer's address is judged: codes about our own sender (5.1.7, 5.1.8), the message (size,
 * content) or policy (5.7.x: spam, authentication, relaying) fail the one delivery and mark nobody.
 */
export const MAILBOX_STATUS: readonly (readonly [code: string, verdict: MailboxVerdict, why: string])[] = [
  ['5.1.*', 'gone', 'addressing: the address names no mailbox there (5.1.1 unknown user, 5.1.2 no such domain, 5.1.3 bad syntax, 5.1.6 moved, 5.1.10 null MX)'],
  ['5.1.5', 'kept', 'destination address valid: not an error of the address'],
  ['5.1.7', 'kept', "our sender's mailbox syntax: about us, not the buyer"],
  ['5.1.8', 'kept', "our sender's system address: about us, not the buyer"],
  ['5.1.9', 'kept', 'relayed to a non-compliant mailer: about the path, not the address'],
  ['5.2.1', 'gone', 'mailbox disabled, not accepting messages (how Gmail and Outlook answer for a closed account)'],
  ['5.2.*', 'kept', 'mailbox status: the mailbox exists (5.2.2 full, 5.2.3 message too large)'],
  ['5.3.*', 'kept', 'the receiving mail system: its trouble, not the address'],
  ['5.4.*', 'kept', 'network and routing: a path that may come back'],
  ['5.5.*', 'kept', 'protocol'],
  ['5.6.*', 'kept', 'message content'],
  ['5.7.*', 'kept', 'security or policy: this message or sender refused, not the address'],
];

const CODE = /^([245])\.(\d{1,3})\.(\d{1,3})$/;

/** The table's verdict on an enhanced status code (`5.1.1`); `kept` for none, a 4.x.x, or one it does not list. */
export function mailboxVerdict(status: string | null): MailboxVerdict {
  const m = status === null ? null : CODE.exec(status.trim());
  if (!m || m[1] !== '5') return 'kept';
  const code = `${m[1]}.${Number(m[2])}.${Number(m[3])}`;
  const row = MAILBOX_STATUS.find(([c]) => c === code) ?? MAILBOX_STATUS.find(([c]) => c === `5.${Number(m[2])}.*`);
  return row?.[1] ?? 'kept';
}

// RFC 3463 §2 / RFC 2034 §4: the enhanced code follows the reply code, its class the reply's first digit.
const REPLY = /^([245])\d\d[ -]([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])/;

/**
 * The enhanced status code an SMTP reply gives (`550 5.1.1 <…>: user unknown` → `5.1.1`), or null
 * when it gives none or one whose class disagrees with the reply code.
 */
export function replyStatus(reply: string): string | null {
  const m = REPLY.exec(reply.trimStart());
  return m && m[1] === m[2] ? `${m[2]}.${Number(m[3])}.${Number(m[4])}` : null;
}
