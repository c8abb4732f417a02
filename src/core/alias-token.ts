// Owns the alias grammar: how a pair token is made from random bytes, and how a recipient address
// is split into (kind, local part) or refused. Pure: the caller supplies CSPRNG bytes.
import { refusal, type Refusal } from './verdicts.js';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** 20 base32 characters carry 100 bits: above the 80-bit floor the architecture promises. */
export const TOKEN_LENGTH = 20;
export const TOKEN_BYTES = 13; // 104 random bits, of which 100 are used
const TOKEN_RE = /^[a-z2-7]{20}$/;
const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

export function tokenFromBytes(bytes: Uint8Array): string {
  if (bytes.length < TOKEN_BYTES) throw new Error(`need ${TOKEN_BYTES} random bytes`);
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < TOKEN_LENGTH) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
    if (out.length === TOKEN_LENGTH) break;
  }
  return out;
}

/** A pair's alias address: the one place the token meets the relay domain. */
export function aliasAddress(token: string, domain: string): string {
  return `${token}@${domain}`;
}

export function isToken(local: string): boolean {
  return TOKEN_RE.test(local);
}

/** Local parts starting so are our signed bounce addresses (VERP), never store slugs. */
export const BOUNCE_PREFIX = 'bnc-';
/** The mailto: of a campaign's List-Unsubscribe: unsubscribe+<signed token>@<relay domain>. */
export const UNSUBSCRIBE_PREFIX = 'unsubscribe+';

/**
 * SLUG_RE for an HTML `pattern` attribute, which browsers compile with the `v` flag: there a `-`
 * inside a character class must be escaped, or the pattern is invalid and never checked.
 */
export const SLUG_HTML_PATTERN = '[a-z0-9](?:[a-z0-9\\-]{0,30}[a-z0-9])?';

/** Store slugs: lowercase letters, digits, inner hyphens, 1–32 chars, never token- or bounce-shaped. */
export function isValidSlug(slug: string): boolean {
  return SLUG_RE.test(slug) && !TOKEN_RE.test(slug) && !slug.startsWith(BOUNCE_PREFIX) && !(ROLE_MAILBOXES as readonly string[]).includes(slug);
}

/** Mailboxes every mail domain must have (RFC 5321 §4.5.1, RFC 2142 §2): never store slugs. */
export const ROLE_MAILBOXES = ['postmaster', 'abuse'] as const;
export type RoleMailbox = (typeof ROLE_MAILBOXES)[number];

export type ParsedRecipient =
  | { readonly kind: 'alias'; readonly token: string; readonly domain: string }
  | { readonly kind: 'bounce'; readonly local: string; readonly domain: string }
  | { readonly kind: 'unsubscribe'; readonly token: string; readonly domain: string }
  | { readonly kind: 'role'; readonly role: RoleMailbox; readonly domain: string }
  | { readonly kind: 'store'; readonly slug: string; readonly domain: string };

// Characters that have routing meaning somewhere (RFC 5321 source routes ':' ',', '%' hack, UUCP '!',
// quoted local parts, IP literals) or no business in an alias. Refused before any lookup.
const FORBIDDEN = /["%!:,;[\]\\()<>\s]/;

/**
 * Splits a recipient into alias or store address. Domain and local part compare case-insensitively
 * (RFC 5321 §2.4 lets us treat our own local parts so).
 */
export function parseRecipient(address: string, relayDomains: readonly string[]): ParsedRecipient | Refusal {
  // RFC 5321 §4.1.1.3, §4.5.1: "Postmaster" without a domain must be accepted, in any case.
  if (address.toLowerCase() === 'postmaster') return { kind: 'role', role: 'postmaster', domain: relayDomains[0] as string };
  if (address.length === 0 || address.length > 254 || FORBIDDEN.test(address)) return refusal('BAD_RECIPIENT_SYNTAX');
  const at = address.indexOf('@');
  if (at <= 0 || at !== address.lastIndexOf('@') || at === address.length - 1) return refusal('BAD_RECIPIENT_SYNTAX');
  const local = address.slice(0, at).toLowerCase();
  const domain = address
    .slice(at + 1)
    .toLowerCase()
    .replace(/\.$/, '');
  if (!relayDomains.includes(domain)) return refusal('RELAY_DENIED');
  if (isToken(local)) return { kind: 'alias', token: local, domain };
  if ((ROLE_MAILBOXES as readonly string[]).includes(local)) return { kind: 'role', role: local as RoleMailbox, domain };
  if (local.startsWith(BOUNCE_PREFIX)) return { kind: 'bounce', local, domain };
  if (local.startsWith(UNSUBSCRIBE_PREFIX)) return { kind: 'unsubscribe', token: local.slice(UNSUBSCRIBE_PREFIX.length), domain };
  if (SLUG_RE.test(local)) return { kind: 'store', slug: local, domain };
  return refusal('UNKNOWN_ALIAS');
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'code' in value && !('kind' in value);
}
