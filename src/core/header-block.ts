// Owns the one reading of a message's header block (RFC 5322 §2.2, §3.6): the field list and the
// single From mailbox that identity, the rules and sender authentication all use. Strict where
// parsers disagree and attackers live (an mbox "From " postmark, "FROM :", a second From, groups,
// comments, NUL, bare CR …): such a block is refused, never guessed at. Pure and linear: one pass
// over the bytes of the header block, one pass over the From value.
import type { Refusal } from './verdicts.js';
import { refusal } from './verdicts.js';

export interface HeaderField {
  /** The field name, lowercased. */
  readonly key: string;
  /** The value after the colon, unfolded (CRLF/LF before whitespace removed) and trimmed. */
  readonly value: string;
}

export interface FromMailbox {
  /** The display name as written (quotes removed, RFC 2047 encoded words not decoded); '' when none. */
  readonly rawName: string;
  /** The addr-spec, as written (local part and domain; case kept). */
  readonly address: string;
}

export interface HeaderBlock {
  readonly fields: readonly HeaderField[];
  readonly from: FromMailbox;
  /** The Sender mailbox ("on behalf of", RFC 5322 §3.6.2), read like From; null when there is none. */
  readonly sender: FromMailbox | null;
}

/**
 * Fields RFC 5322 §3.6 allows at most once, and the MIME fields RFC 2045 §3 allows at most once at
 * the top. A second copy is refused: a DKIM verifier signs the last one (RFC 6376 §5.4.2), a mail
 * client may show the first, and mailparser reads the first Content-Type and
 * Content-Transfer-Encoding (a copy put on top of a signed message changed how its body was read).
 */
export const SINGLE_FIELDS: readonly string[] = [
  'date',
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'bcc',
  'message-id',
  'in-reply-to',
  'references',
  'subject',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
];

/**
 * How large a header block may be: fields, lines (fields plus continuation lines) and bytes up to
 * the empty line, and its DKIM signatures. Real mail stays far below (a long thread's References
 * folds over a few hundred lines; Microsoft 365's headers are some 30 KB; a DKIM-Signature is under
 * 1 KiB). Past these, mailauth's reading of the block grows with the square of the lines (20 000
 * continuation lines held the main thread for half a minute), and its DKIM check compares every
 * name of a signature's h= list with every field (three signatures listing 40 000 names each: seven
 * seconds). Such a block is refused before anything else reads it (HEADER_TOO_LARGE, 552 5.3.4).
 * The byte limit is mailparser's own (1 MiB for a MIME node's header).
 */
export const HEADER_LIMITS = { fields: 1000, lines: 5000, bytes: 1024 * 1024, dkimSignatures: 10, dkimSignatureBytes: 8 * 1024 } as const;

const CR = 0x0d;
const LF = 0x0a;
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** The refusal of a header block over HEADER_LIMITS (HEADER_TOO_LARGE, 552 5.3.4), saying which limit. */
export function tooLarge(detail: string): Refusal {
  const { fields, lines, dkimSignatures } = HEADER_LIMITS;
  return refusal(
    'HEADER_TOO_LARGE',
    `the header block is too large: ${detail} (at most ${fields} fields, ${lines} lines, 1 MiB, and ${dkimSignatures} DKIM-Signature fields of 8 KiB each)`,
  );
}

function malformed(detail: string): Refusal {
  return refusal('HEADER_MALFORMED', `the header block is malformed: ${detail}`);
}

/** Why a line that should start a field does not; null when its name is valid (RFC 5322 §3.6.8 ftext). */
function badFieldName(bytes: Uint8Array, start: number, end: number): string | null {
  let colon = -1;
  for (let i = start; i < end; i++) {
    if (bytes[i] === 0x3a) {
      colon = i;
      break;
    }
  }
  const name = colon < 0 ? null : utf8.decode(bytes.subarray(start, colon));
  if (name !== null && name.length <= 64 && /^\S+[ \t]+$/.test(name)) {
    return `a header field name has whitespace before its colon ("${name.trim()} :")`;
  }
  // "From jane@example.com Sat Jan  3 01:05:34 1996": mailparser drops it, others read a field.
  if (end - start >= 5 && /^From /i.test(utf8.decode(bytes.subarray(start, start + 5)))) {
    return 'a line starting "From " (an mbox postmark) is not a header field';
  }
  if (colon < 0) return 'a line in the header block is not a header field (no colon)';
  if (colon === start) return 'a header field has an empty name';
  for (let i = start; i < colon; i++) {
    const b = bytes[i] as number;
    if (b === 0x20 || b === 0x09) return 'a header field name contains whitespace';
    if (b < 33 || b > 126) return 'a header field name contains a byte outside printable ASCII';
  }
  return null;
}

/**
 * Reads the header block of `raw` (up to the first empty line, or the whole message when there is
 * none). Lines end in CRLF or LF (as every parser we use reads them); a CR anywhere else, a NUL,
 * a line with only whitespace, a continuation line first, or a line that is not `name:` refuses;
 * so does a block over HEADER_LIMITS (HEADER_TOO_LARGE), which is noticed before reading further.
 */
export function readHeaderBlock(raw: Uint8Array): HeaderBlock | Refusal {
  const fields: { key: string; parts: string[] }[] = [];
  let pos = 0;
  let lines = 0;
  const n = raw.length;
  while (pos < n) {
    if (pos > HEADER_LIMITS.bytes) return tooLarge('more than 1 MiB before the empty line');
    if (++lines > HEADER_LIMITS.lines) return tooLarge(`more than ${HEADER_LIMITS.lines} lines`);
    // One line: [pos, end) without its line break; next is where the following line starts.
    let end = pos;
    let next = n;
    for (let i = pos; i < n; i++) {
      const b = raw[i];
      if (b === 0) return malformed('it contains a NUL byte');
      if (b === LF) {
        end = i;
        next = i + 1;
        break;
      }
      if (b === CR) {
        if (raw[i + 1] !== LF) return malformed('it contains a bare CR (a CR not followed by LF)');
        end = i;
        next = i + 2;
        break;
      }
      end = i + 1;
    }
    if (end === pos) break; // the empty line: the body starts after it
    const first = raw[pos] as number;
    if (first === 0x20 || first === 0x09) {
      let onlySpace = true;
      for (let i = pos; i < end && onlySpace; i++) onlySpace = raw[i] === 0x20 || raw[i] === 0x09;
      if (onlySpace) return malformed('a line holds only whitespace (some parsers end the header block there, others do not)');
      const current = fields[fields.length - 1];
      if (!current) return malformed('the first line is a continuation, not a header field');
      current.parts.push(utf8.decode(raw.subarray(pos, end)));
    } else {
      if (fields.length >= HEADER_LIMITS.fields) return tooLarge(`more than ${HEADER_LIMITS.fields} fields`);
      const bad = badFieldName(raw, pos, end);
      if (bad) return malformed(bad);
      const line = utf8.decode(raw.subarray(pos, end));
      const colon = line.indexOf(':');
      fields.push({ key: line.slice(0, colon).toLowerCase(), parts: [line.slice(colon + 1)] });
    }
    pos = next;
  }

  const out: HeaderField[] = fields.map((f) => ({ key: f.key, value: f.parts.join('').trim() }));
  const signatures = out.filter((f) => f.key === 'dkim-signature');
  if (signatures.length > HEADER_LIMITS.dkimSignatures) return tooLarge(`${signatures.length} DKIM-Signature fields`);
  if (signatures.some((f) => f.value.length > HEADER_LIMITS.dkimSignatureBytes)) return tooLarge('a DKIM-Signature field over 8 KiB');
  const counts = new Map<string, number>();
  for (const f of out) counts.set(f.key, (counts.get(f.key) ?? 0) + 1);
  const froms = counts.get('from') ?? 0;
  if (froms === 0) return refusal('FROM_MISSING');
  if (froms > 1) return refusal('FROM_MULTIPLE');
  for (const key of SINGLE_FIELDS) {
    if ((counts.get(key) ?? 0) > 1) return malformed(`the ${key} field appears more than once (RFC 5322 §3.6 allows one)`);
  }
  const fromValue = (out.find((f) => f.key === 'from') as HeaderField).value;
  const from = readMailbox(fromValue);
  if (typeof from === 'string') return refusal('FROM_INVALID', `the From header must name exactly one plain address: ${from}`);
  // Sender is one mailbox too (RFC 5322 §3.6.2); its address and name are hidden by the masking,
  // so it is read here, by the same reader, and never guessed at.
  const senderField = out.find((f) => f.key === 'sender');
  const sender = senderField ? readMailbox(senderField.value) : null;
  if (typeof sender === 'string') return malformed(`the Sender field must name exactly one plain address: ${sender}`);
  return { fields: out, from, sender };
}

/** What String.prototype.trim() removes: SP, HTAB, the other ASCII blanks and every Unicode space (\\s). */
const WHITESPACE = /\s/;
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+$/;
const LABEL = /^[A-Za-z0-9\u0080-\uffff](?:[A-Za-z0-9\u0080-\uffff-]*[A-Za-z0-9\u0080-\uffff])?$/;

/** A dot-atom addr-spec `local@domain` (no quoted local part, no domain literal), or why not. */
function addrSpec(s: string): string | null {
  const at = s.indexOf('@');
  if (at < 0) return 'it has no address (no @)';
  if (s.indexOf('@', at + 1) >= 0) return 'the address has more than one @';
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (local.includes('=?')) return 'the address contains an encoded word';
  if (local === '' || local.split('.').some((p) => !ATEXT.test(p))) return 'the local part is not a plain dot-atom';
  const labels = domain.split('.');
  if (labels.length < 2 || labels.some((l) => !LABEL.test(l))) return 'the domain is not a plain domain name';
  return null;
}

/**
 * One mailbox (RFC 5322 §3.4): `addr-spec` or `[display-name] <addr-spec>`. Refused, with the
 * reason: several addresses, a group (`:`/`;`), comments `(…)`, a quoted local part, a domain
 * literal, a source route, an encoded word in the address, an unquoted @ in the display name,
 * text after `>`, unbalanced quotes or brackets.
 */
export function readMailbox(value: string): FromMailbox | string {
  const name: string[] = []; // display-name text, quotes removed
  const unquoted: string[] = []; // the part of it written outside quotes
  let quoted = false;
  let angle: string | null = null;
  let inAngle = false;
  let afterAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (afterAngle) {
      if (c !== ' ' && c !== '\t') return 'there is text after the address';
      continue;
    }
    if (c === '"') {
      if (inAngle) return 'the address has a quoted local part';
      let j = i + 1;
      let from = j;
      for (; j < value.length && value[j] !== '"'; j++) {
        if (value[j] === '\\') {
          name.push(value.slice(from, j));
          from = ++j;
        }
      }
      if (j >= value.length) return 'a quoted string is not closed';
      name.push(value.slice(from, j));
      quoted = true;
      i = j;
      continue;
    }
    if (c === '(' || c === ')') return 'it contains a comment in parentheses';
    if (c === ',') return 'it lists more than one address';
    if (c === ':' || c === ';') return 'it uses group syntax';
    if (c === '[' || c === ']') return 'it uses a domain literal';
    if (c === '\\') return 'it contains a backslash outside quotes';
    if (c === '<') {
      if (angle !== null) return 'it has more than one <address>';
      inAngle = true;
      angle = '';
    } else if (c === '>') {
      if (!inAngle) return 'a > has no matching <';
      inAngle = false;
      afterAngle = true;
    } else if (inAngle) {
      // Any Unicode whitespace (U+00A0, U+2028, U+3000, U+FEFF …), not only SP and HTAB: mailauth's
      // address parser and a trim() drop it at either end of an address, so keeping it would make
      // two readings of one From.
      if (WHITESPACE.test(c)) return 'the address contains whitespace';
      angle += c;
    } else {
      name.push(c);
      unquoted.push(c);
    }
  }
  if (inAngle) return 'a < is not closed';
  if (angle !== null) {
    if (angle.startsWith('@')) return 'it uses a source route';
    const bad = addrSpec(angle);
    if (bad) return bad;
    // `x@evil.example <y@shop.example>`: an @ outside quotes makes two addresses to choose from.
    if (unquoted.includes('@')) return 'the display name has an @ outside quotes';
    return { rawName: name.join('').replace(/\s+/g, ' ').trim(), address: angle };
  }
  if (quoted) return 'a bare address may not contain a quoted string';
  const spec = unquoted.join('').trim();
  if (/\s/.test(spec)) return 'it has more than one word and no <address>';
  const bad = addrSpec(spec);
  if (bad) return bad;
  return { rawName: '', address: spec };
}
