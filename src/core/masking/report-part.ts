// Owns masking a delivery or read report (RFC 3464 message/delivery-status, RFC 8098
// message/disposition-notification) and returned headers (text/rfc822-headers): folded lines are
// unfolded, only the report's own fields and a few message headers are kept, and their values are
// masked like text (an address in "rfc822; anna@…" becomes the alias or is removed).

import { MAX_LINE } from '../line-limit.js';

const KEPT_FIELDS = new Set([
  'reporting-mta', 'arrival-date', 'final-recipient', 'original-recipient', 'action', 'status', 'diagnostic-code', 'last-attempt-date',
  'will-retry-until', 'remote-mta', 'reporting-ua', 'disposition', 'original-message-id', 'error', 'from', 'to', 'subject', 'date', 'message-id',
]); // prettier-ignore

export function maskReport(source: string, text: (s: string) => string): string {
  const unfolded = source.replace(/\r?\n[ \t]+/g, ' ');
  const out: string[] = [];
  for (const line of unfolded.split(/\r?\n/)) {
    if (line.trim() === '') {
      out.push('');
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : '';
    if (!KEPT_FIELDS.has(name)) continue;
    out.push(folded(`${line.slice(0, colon)}:${text(line.slice(colon + 1))}`.trimEnd()));
  }
  return out.join('\r\n');
}

/**
 * A field line as it can travel: folded (CRLF and a space, as header fields fold) before it passes
 * MAX_LINE octets, at a blank when there is one, and no line ending in one. The report's part goes
 * out as it is (nodemailer gives message/* parts no transfer encoding), under a DKIM signature that
 * hashes the body as it is (c=…/simple): a relay that refolds a long line or strips a trailing blank
 * would break it. The lines were unfolded above, so a long Diagnostic-Code is common.
 */
function folded(line: string): string {
  const lines: string[] = [];
  let rest = line;
  while (Buffer.byteLength(rest) > MAX_LINE) {
    // Characters, not octets: a UTF-8 character is at most 3 octets per UTF-16 unit.
    let cut = MAX_LINE;
    while (Buffer.byteLength(rest.slice(0, cut)) > MAX_LINE - 1) cut -= Math.max(1, Math.ceil((Buffer.byteLength(rest.slice(0, cut)) - MAX_LINE + 1) / 3));
    const blank = Math.max(rest.lastIndexOf(' ', cut), rest.lastIndexOf('\t', cut));
    const at = blank > 0 ? blank : cut;
    lines.push(rest.slice(0, at).trimEnd());
    rest = ` ${rest.slice(at).trimStart()}`;
  }
  lines.push(rest);
  return lines.join('\r\n');
}
