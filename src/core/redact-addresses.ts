// Owns redaction of free text bound for logs, stored delivery errors, admin displays and notices
// (remote SMTP replies, errors): every address outside the relay domains keeps only its domain.
// Uses masking's own address finder, so an address with a UTF-8 local part, an internationalised
// domain, an entity or a percent-escape in it is found as well. Linear.
import { findAddresses, keptDomain } from './masking/address-finder.js';

export function redactAddresses(text: string, keepDomains: readonly string[]): string {
  const found = findAddresses(text);
  if (found.length === 0) return text;
  let out = '';
  let pos = 0;
  for (const a of found) {
    if (keptDomain(a.domain, keepDomains)) continue;
    out += `${text.slice(pos, a.start)}[redacted]@${text.slice(a.domainStart, a.end)}`;
    pos = a.end;
  }
  return out + text.slice(pos);
}
