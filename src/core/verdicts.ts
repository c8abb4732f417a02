// Owns the one catalogue of every refusal: SMTP reply + enhanced status, HTTP status, one sentence.
// The SMTP shell and the JSON API both render from here; docs/verdicts.md lists every code and a
// test keeps the two in step.

export interface VerdictSpec {
  /** SMTP basic code and RFC 3463 enhanced status code. */
  readonly smtp: readonly [number, string];
  readonly http: number;
  readonly text: string;
}

export const VERDICTS = {
  // --- envelope and addressing (RFC 5321 §3.6: we are not an open relay)
  RELAY_DENIED: { smtp: [550, '5.7.1'], http: 400, text: 'relaying denied: this server only accepts mail for its own relay domains' },
  BAD_RECIPIENT_SYNTAX: { smtp: [553, '5.1.3'], http: 400, text: 'recipient address syntax is not allowed here (no quotes, %, !, source routes or extra @)' },
  BAD_SENDER_SYNTAX: { smtp: [553, '5.1.7'], http: 400, text: 'sender address syntax is not valid' },
  NO_POSTMASTER: {
    smtp: [550, '5.1.1'],
    http: 404,
    text: 'postmaster and abuse mail has nowhere to go yet: no owner account exists and smtp.postmaster is not set',
  },
  UNKNOWN_ALIAS: { smtp: [550, '5.1.1'], http: 404, text: 'no such alias or store address at this relay' },
  TOO_MANY_RECIPIENTS: { smtp: [452, '4.5.3'], http: 400, text: 'too many recipients for one message; send the rest in another message' },
  MESSAGE_TOO_LARGE: { smtp: [552, '5.3.4'], http: 413, text: 'message is larger than this relay accepts' },
  TOO_MANY_CONNECTIONS: { smtp: [421, '4.7.0'], http: 429, text: 'too many connections from your address; try again later' },
  PROBING: { smtp: [421, '4.7.0'], http: 429, text: 'too many unknown recipients from your address; closing this session' },
  COMMAND_TOO_SLOW: { smtp: [421, '4.4.2'], http: 408, text: 'a command took too long to arrive; closing' },
  SESSION_TOO_LONG: { smtp: [421, '4.4.2'], http: 408, text: 'session lasted too long; closing' },
  INSUFFICIENT_STORAGE: { smtp: [452, '4.3.1'], http: 507, text: 'insufficient system storage; try again later' },
  DATA_BUSY: {
    smtp: [451, '4.3.2'],
    http: 503,
    text: 'the gateway is receiving as many messages as it reads at once and no turn came free in time; please send DATA again in a minute',
  },
  OVER_BUDGET: {
    smtp: [452, '4.3.1'],
    http: 503,
    text: 'the gateway is busy with other large messages and has no memory free for this one; please try again in a few minutes',
  },
  // --- who is writing
  SENDER_UNKNOWN: { smtp: [550, '5.7.1'], http: 403, text: 'the sender is neither the buyer of this conversation nor a permitted sender of the store' },
  SENDER_BLOCKED: { smtp: [550, '5.7.1'], http: 403, text: 'the sender is blocked from writing as this store' },
  STAFF_TO_STORE_ADDRESS: { smtp: [550, '5.7.1'], http: 400, text: "staff write to a buyer's alias, not to the store's own contact address" },
  FROM_MISMATCH: { smtp: [550, '5.7.1'], http: 403, text: 'the From header names a different party than the envelope sender' },
  // --- the header block (one strict reading; RFC 5322 §2.2, §3.6)
  HEADER_MALFORMED: { smtp: [550, '5.7.1'], http: 400, text: 'the header block is malformed (RFC 5322 §2.2)' },
  HEADER_TOO_LARGE: {
    smtp: [552, '5.3.4'],
    http: 413,
    text: 'the header block is too large: at most 1000 fields, 5000 lines, 1 MiB, and 10 DKIM-Signature fields of 8 KiB each',
  },
  FROM_MISSING: { smtp: [550, '5.7.1'], http: 400, text: 'the message has no From header field; RFC 5322 §3.6 requires exactly one' },
  FROM_MULTIPLE: { smtp: [550, '5.7.1'], http: 400, text: 'the message has more than one From header field; RFC 5322 §3.6 allows exactly one' },
  FROM_INVALID: { smtp: [550, '5.7.1'], http: 400, text: 'the From header must name exactly one plain address' },
  FROM_READ_DIFFERENTLY: {
    smtp: [550, '5.7.1'],
    http: 400,
    text: 'sender authentication read a different From address than the one this relay identified; the header is ambiguous',
  },
  AUTH_FAILED: {
    smtp: [550, '5.7.26'],
    http: 403,
    text: "the message is not authenticated for the sender's domain (DMARC, or SPF or DKIM aligned with the From domain)",
  },
  AUTH_TEMPORARY: { smtp: [451, '4.4.3'], http: 503, text: "the sender's domain could not be checked in DNS; please try again later" },
  // --- submission port (SMTP AUTH)
  AUTH_REQUIRED: { smtp: [530, '5.7.0'], http: 401, text: 'authentication required: STARTTLS, then AUTH PLAIN or LOGIN with an app password' },
  AUTH_INVALID: { smtp: [535, '5.7.8'], http: 401, text: 'authentication failed: unknown user, wrong or revoked app password, or a blocked sender' },
  AUTH_TOO_MANY_FAILURES: { smtp: [421, '4.7.0'], http: 429, text: 'too many failed authentication attempts; closing' },
  ROLE_MAIL_RATE: {
    smtp: [450, '4.7.1'],
    http: 429,
    text: 'too much mail to postmaster and abuse from your address; try again later',
  },
  AUTH_THROTTLED: {
    smtp: [421, '4.7.0'],
    http: 429,
    text: 'too many failed authentication attempts from your address; try again later',
  },
  SUBMISSION_SENDER: { smtp: [553, '5.7.1'], http: 403, text: 'you may only send from your own address' },
  NOT_YOUR_ALIAS: { smtp: [550, '5.7.1'], http: 403, text: 'you may only write to buyer aliases of your own store' },
  LOOP_DETECTED: { smtp: [550, '5.4.6'], http: 400, text: 'mail from the relay domain itself is refused (routing loop)' },
  BAD_BOUNCE_ADDRESS: { smtp: [550, '5.7.1'], http: 400, text: 'not a bounce address this relay issued, or it has expired' },
  NULL_SENDER: { smtp: [550, '5.7.1'], http: 400, text: 'bounces are not accepted at conversation aliases' },
  // --- messaging rules (seller → buyer)
  OPTED_OUT: {
    smtp: [550, '5.7.1'],
    http: 403,
    text: 'the buyer has opted out of messages from this store; only replies to the buyer and [Important] messages go through',
  },
  UNSUBSCRIBED: { smtp: [550, '5.7.1'], http: 403, text: "the buyer unsubscribed from this store's campaigns" },
  UNDELIVERABLE: { smtp: [550, '5.1.1'], http: 403, text: "the buyer's address bounced permanently; campaigns are not sent to it" },
  RECENT_CAMPAIGN: { smtp: [550, '5.7.1'], http: 429, text: 'the buyer got a campaign from this store recently' },
  CRITICAL_LIMIT: { smtp: [550, '5.7.1'], http: 429, text: 'the store has used its daily allowance of critical messages to opted-out buyers' },
  WINDOW_CLOSED: { smtp: [550, '5.7.1'], http: 403, text: 'the messaging window with this buyer is closed' },
  ORDER_ID_MISSING: { smtp: [550, '5.7.1'], http: 400, text: "a message that does not answer the buyer must name one of the buyer's order numbers" },
  RATE_LIMITED: { smtp: [451, '4.7.0'], http: 429, text: 'too many messages; try again later' },
  // --- content
  BANNED_WORDS: { smtp: [550, '5.7.1'], http: 400, text: 'the message contains banned words' },
  ATTACHMENT_REFUSED: { smtp: [550, '5.7.1'], http: 400, text: 'an attachment is not allowed (only text, PDF, Word, JPEG, GIF and PNG up to 10 MB)' },
  LINK_REFUSED: { smtp: [550, '5.7.1'], http: 400, text: 'the message links to a site that is not allowed' },
  UNPARSABLE: { smtp: [554, '5.6.0'], http: 400, text: 'the message could not be parsed as MIME' },
  // --- anything unexpected is temporary, so a bug never becomes a bounce
  TEMPORARY_FAILURE: { smtp: [451, '4.3.0'], http: 503, text: 'temporary failure; please try again later' },
  // --- HTTP API only
  VALIDATION_FAILED: { smtp: [501, '5.5.4'], http: 400, text: 'the request is not valid' },
  UNAUTHORIZED: { smtp: [530, '5.7.0'], http: 401, text: 'a valid API token is required (Authorization: Bearer …)' },
  NOT_FOUND: { smtp: [550, '5.1.1'], http: 404, text: 'no such resource' },
  OWNER_ONLY: {
    smtp: [550, '5.7.1'],
    http: 403,
    text: "only the owner changes a store's identity and policy (name, mailbox, permitted senders, app passwords, messaging rules, assignment, webhooks)",
  },
  CONFLICT: { smtp: [550, '5.7.1'], http: 409, text: 'the request conflicts with existing data' },
  PAYLOAD_TOO_LARGE: { smtp: [552, '5.3.4'], http: 413, text: 'the request body is too large' },
} as const satisfies Record<string, VerdictSpec>;

export type VerdictCode = keyof typeof VERDICTS;

/** A refusal: a catalogue code plus an optional more specific sentence. */
export interface Refusal {
  readonly code: VerdictCode;
  readonly detail?: string;
}

export function refusal(code: VerdictCode, detail?: string): Refusal {
  return detail === undefined ? { code } : { code, detail };
}

/** The human sentence for a refusal: the specific detail when there is one, else the catalogue text. */
export function refusalText(r: Refusal): string {
  return r.detail ?? VERDICTS[r.code].text;
}

/** The longest reply text we send: RFC 5321 §4.5.3.1.5 allows 512 octets a reply line, code included. */
const MAX_REPLY_TEXT = 400;

/**
 * A sentence as an SMTP reply text (RFC 5321 §4.2): one line of printable US-ASCII. Sentences carry
 * names from outside (a store's name, an attachment's file name, banned words), so line breaks and
 * control characters become spaces, accents are dropped, a few signs are spelled out and anything
 * else non-ASCII becomes `?`; over 400 characters it is cut with `...`. The JSON API keeps the
 * sentence as it is.
 */
export function asciiReplyText(sentence: string): string {
  const text = sentence
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/§\s*/g, 'section ')
    .replace(/[‘’]/g, "'")
    .replace(/[“”«»]/g, '"')
    .replace(/[–—]/g, '-')
    .replace(/→/g, '->')
    .replace(/[\x00-\x1f\x7f]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?');
  return text.length > MAX_REPLY_TEXT ? `${text.slice(0, MAX_REPLY_TEXT - 3)}...` : text;
}

/** `550 5.7.1 sentence` parts, ready for the SMTP shell (the sentence made a safe reply line). */
export function smtpReply(r: Refusal): { code: number; message: string } {
  const [code, enhanced] = VERDICTS[r.code].smtp;
  return { code, message: `${enhanced} ${asciiReplyText(refusalText(r))}` };
}
