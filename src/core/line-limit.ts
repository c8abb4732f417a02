// Owns one number of the message format: how long a line of a message may be.

/**
 * RFC 5322 §2.1.1: a line of a message is at most 998 octets, CRLF excluded (RFC 5321 §4.5.3.1.6
 * gives SMTP the same 1000 with CRLF). Everything we compose keeps to it: text parts (7bit only when
 * every line fits, relay/transfer-encoding.ts), report parts (core/masking/report-part.ts), carried
 * header values (core/header-allowlist.ts) and the API's subjects.
 */
export const MAX_LINE = 998;
