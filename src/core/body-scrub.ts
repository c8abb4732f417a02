// Owns masking of known real addresses inside free text and HTML: signatures, Outlook's quoted
// "From: Name <addr> Sent: …" blocks, "On …, Name <addr> wrote:" lines, mailto: links.
// Linear time: one lowercase copy of the input and indexOf scans per needle, no regex backtracking.

export interface MaskTarget {
  /** Real addresses to hide (any case). */
  readonly addresses: readonly string[];
  /** Display names that, when written right before a hidden address, are replaced too. */
  readonly names: readonly string[];
  /**
   * Full names replaced wherever they stand (a staff member's "First Last" in a signature).
   * Matched case-insensitively at word boundaries.
   */
  readonly fullNames?: readonly string[];
}

export interface MaskReplacement {
  readonly address: string;
  readonly name: string;
}

export interface MaskResult {
  readonly value: string;
  readonly count: number;
}

type Escape = (s: string) => string;

const identity: Escape = (s) => s;

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

interface Span {
  start: number;
  end: number;
  text: string;
}

/** Spellings of an address in HTML source besides the plain one. */
function htmlVariants(address: string): string[] {
  return ['&#64;', '&#x40;', '&commat;'].map((entity) => address.replace('@', entity));
}

// Wrappers that may enclose an address right after a display name.
const OPENERS = ['<', '&lt;', '[mailto:', '(', '&#60;'];

function precedingName(lower: string, openerStart: number, names: readonly string[]): number | null {
  // Skip spaces and an optional closing quote between the name and the opener.
  let i = openerStart;
  while (i > 0 && (lower[i - 1] === ' ' || lower[i - 1] === '\t')) i--;
  let quoted = false;
  if (i > 0 && (lower[i - 1] === '"' || lower[i - 1] === "'")) {
    i--;
    quoted = true;
  } else if (lower.endsWith('&quot;', i)) {
    i -= 6;
    quoted = true;
  }
  for (const name of names) {
    if (name.length < 2) continue;
    const n = name.toLowerCase();
    if (lower.endsWith(n, i)) {
      let start = i - n.length;
      if (quoted) {
        if (start > 0 && (lower[start - 1] === '"' || lower[start - 1] === "'")) start--;
        else if (lower.endsWith('&quot;', start)) start -= 6;
      }
      return start;
    }
  }
  return null;
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
}

function mask(value: string, target: MaskTarget, repl: MaskReplacement, html: boolean): MaskResult {
  const lower = value.toLowerCase();
  const esc: Escape = html ? escapeHtml : identity;
  const spans: Span[] = [];
  const needles = new Set<string>();
  for (const a of target.addresses) {
    const n = a.trim().toLowerCase();
    if (n.length < 3 || !n.includes('@')) continue;
    needles.add(n);
    if (html) for (const v of htmlVariants(n)) needles.add(v);
  }
  for (const needle of needles) {
    let from = 0;
    for (;;) {
      const at = lower.indexOf(needle, from);
      if (at < 0) break;
      from = at + needle.length;
      let start = at;
      let text = esc(repl.address);
      for (const opener of OPENERS) {
        if (at >= opener.length && lower.startsWith(opener, at - opener.length)) {
          const nameStart = precedingName(lower, at - opener.length, target.names);
          if (nameStart !== null) {
            text = `${esc(repl.name)} ${value.slice(at - opener.length, at)}${esc(repl.address)}`;
            start = nameStart;
          }
          break;
        }
      }
      spans.push({ start, end: at + needle.length, text });
    }
  }
  for (const name of target.fullNames ?? []) {
    const n = name.trim().toLowerCase();
    if (n.length < 3) continue;
    const variants = html ? new Set([n, escapeHtml(n)]) : new Set([n]);
    for (const needle of variants) {
      let from = 0;
      for (;;) {
        const at = lower.indexOf(needle, from);
        if (at < 0) break;
        from = at + needle.length;
        if (isWordChar(lower[at - 1]) || isWordChar(lower[at + needle.length])) continue;
        spans.push({ start: at, end: at + needle.length, text: esc(repl.name) });
      }
    }
  }
  if (spans.length === 0) return { value, count: 0 };
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let pos = 0;
  let count = 0;
  for (const span of spans) {
    if (span.start < pos) continue; // overlapping match (e.g. an entity variant inside a longer one)
    out += value.slice(pos, span.start) + span.text;
    pos = span.end;
    count++;
  }
  out += value.slice(pos);
  return { value: out, count };
}

export function maskText(value: string, target: MaskTarget, repl: MaskReplacement): MaskResult {
  return mask(value, target, repl, false);
}

export function maskHtml(value: string, target: MaskTarget, repl: MaskReplacement): MaskResult {
  return mask(value, target, repl, true);
}
