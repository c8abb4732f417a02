// Owns the question "does this link give someone away?": a tracking parameter often carries the
// reader's address percent-encoded or in base64 (also on allow-listed hosts). The link is read
// percent-decoded, and every long query or path value also as base64; an address outside the
// kept domains in any reading is an answer of yes. Linear in the link's length.
import { findAddresses, keptDomain } from './address-finder.js';

const B64_TOKEN = /[A-Za-z0-9+/_-]{12,}={0,2}/g;
const LOOKS_B64 = /[A-Z0-9]/;

function percentDecoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function base64Text(token: string): string | null {
  const clean = token.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (clean.length % 4 === 1) return null;
  let bin: string;
  try {
    bin = atob(clean + '='.repeat((4 - (clean.length % 4)) % 4));
  } catch {
    return null;
  }
  if (!bin.includes('@') && !bin.includes('%40')) return null;
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** The readings of a link a person or a script could recover an address from. */
export function linkReadings(link: string): string[] {
  const once = percentDecoded(link.slice(0, 8192));
  const twice = percentDecoded(once);
  const out = [link, once, twice];
  for (const m of twice.matchAll(B64_TOKEN)) {
    if (!LOOKS_B64.test(m[0])) continue;
    const t = base64Text(m[0]);
    if (t !== null) out.push(t);
  }
  return out;
}

/** True when some reading of the link holds an address outside `keepDomains`, or `names` says so. */
export function linkGivesAway(link: string, keepDomains: readonly string[], names?: (s: string) => boolean): boolean {
  // Most links hold no @, no escape and no long token: nothing to decode.
  if (!names && !/[@%&\uff20]|[A-Za-z0-9+/_-]{12}/.test(link)) return false;
  // A base64 token needs mixed case or digits; a plain word path (example/help) is not one.
  return linkReadings(link).some((r) => findAddresses(r).some((a) => !keptDomain(a.domain, keepDomains)) || (names?.(r) ?? false));
}
