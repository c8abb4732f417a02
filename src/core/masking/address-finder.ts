// Owns finding email addresses however they are written: on the folded reading (see fold.ts), so
// an address with an entity, a percent-escape, a zero-width character or a tag in the middle is
// still one; local parts and domains in any script (`jürgen@straße.example` is found whole, never
// half). Linear: one regex with bounded repetition and no nesting, run once over the text.
import { fold, type Folded } from './fold.js';

/**
 * An address on folded text: a local part of up to 64 characters that are not delimiters, `@`,
 * then up to 11 labels of letters (any script), digits and hyphens.
 */
const ADDRESS = /[^\s<>()[\]{}"'@,;:\\|]{1,64}@([\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){0,10})/gu;

export interface FoundAddress {
  /** Span in the source text, [start, end). */
  readonly start: number;
  readonly end: number;
  /** The address as folded (lowercase, accents dropped, escapes decoded). */
  readonly folded: string;
  /** The domain as folded, without a trailing dot. */
  readonly domain: string;
  /** Where the domain starts in the source (after `@`, `%40`, `&#64;`…). */
  readonly domainStart: number;
}

/** Every address in a folded reading, as source spans. */
export function findAddressesIn(f: Folded): FoundAddress[] {
  const found: FoundAddress[] = [];
  for (const m of f.text.matchAll(ADDRESS)) {
    let local = m[0].slice(0, m[0].indexOf('@'));
    // A local part does not start with the punctuation that wraps it in prose ("mail:bob@…").
    const lead = /^[.\-=/?&#!*+~`^%$]+/.exec(local)?.[0].length ?? 0;
    local = local.slice(lead);
    if (local === '') continue;
    const start = m.index + lead;
    const end = m.index + m[0].length;
    const domain = m[1] as string;
    const at = m.index + m[0].indexOf('@');
    found.push({ start: f.map[start] as number, end: f.map[end] as number, folded: f.text.slice(start, end), domain, domainStart: f.map[at + 1] as number });
  }
  return found;
}

/** Every address in source text (HTML when `html`: tags read as nothing). */
export function findAddresses(text: string, html = false): FoundAddress[] {
  return findAddressesIn(fold(text, html));
}

/** True when the domain is one of ours (or a subdomain of one): such addresses are kept. */
export function keptDomain(domain: string, keepDomains: readonly string[]): boolean {
  const d = domain.toLowerCase();
  return keepDomains.some((k) => d === k.toLowerCase());
}
