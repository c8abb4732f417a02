// Owns masking a delivery or read report (RFC 3464 message/delivery-status, RFC 8098
// message/disposition-notification) and returned headers (text/rfc822-headers): folded lines are
// unfolded, only the report's own fields and a few message headers are kept, and their values are
// masked like text (an address in "rfc822; anna@…" becomes the alias or is removed).

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
    out.push(`${line.slice(0, colon)}:${text(line.slice(colon + 1))}`);
  }
  return out.join('\r\n');
}
