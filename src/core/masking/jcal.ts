// Owns the shape of jCal/jCard (RFC 7265, RFC 7095): the plain arrays ical.js parses iCalendar and
// vCard into and writes back (folding at 75 octets, escaping). Masking walks these arrays.
import ICAL from 'ical.js';
import { knowsCharset, readCharset } from './charsets.js';

/** [name, params, type, ...values] */
export type JProp = [string, Record<string, unknown>, string, ...unknown[]];
/** [name, properties, sub-components] */
export type JComp = [string, JProp[], JComp[]];

/**
 * The text with quoted-printable soft line breaks joined (RFC 2045 §6.7 rule 5, as vCard 2.1 and
 * vCalendar 1.0 write a long value: `=` at the line's end, the value going on at the next line's
 * start, unindented, which iCalendar's unfolding does not join): a line whose property names
 * QUOTED-PRINTABLE before its first `:` and ends in `=` is joined with the next. Linear.
 */
function joinSoftBreaks(text: string): string {
  if (!/quoted-printable/i.test(text)) return text;
  const out: string[] = [];
  let open = false;
  for (const line of text.split(/\r?\n/)) {
    const head: boolean = open || (line.includes(':') && /quoted-printable/i.test(line.slice(0, line.indexOf(':'))));
    if (open) out[out.length - 1] = (out[out.length - 1] as string).slice(0, -1);
    else if (out.length) out.push('\r\n');
    out.push(line);
    open = head && line.endsWith('=');
  }
  return out.join('');
}

/** vCard 2.1's encodings, which it may write as a parameter without a name (`NOTE;QUOTED-PRINTABLE:`). */
const BARE_ENCODINGS = new Set(['quoted-printable', 'base64', 'b', '7bit', '8bit']);

/**
 * The text with vCard 2.1's unnamed parameters named (vCard 2.1 §2.1.2, as Outlook and older phones
 * write them: `TEL;WORK;VOICE:`, `NOTE;QUOTED-PRINTABLE:`), which ical.js does not read: an encoding
 * becomes `ENCODING=…`, any other token `TYPE=…` (what vCard 3.0, RFC 2426 §4, made of them). Only a
 * content line's head (up to its first `:` outside double quotes) is touched; folded lines are left
 * as they are. Linear.
 */
function nameBareParameters(text: string): string {
  if (!/^[^:\r\n]*;[A-Za-z0-9-]+[;:]/m.test(text)) return text;
  return text
    .split(/(\r?\n)/)
    .map((line) => {
      if (line === '' || line[0] === ' ' || line[0] === '\t' || line === '\n' || line === '\r\n') return line;
      // The head's `;` and its end, outside double-quoted parameter values.
      const cuts: number[] = [];
      let quoted = false;
      let end = -1;
      for (let i = 0; i < line.length && end < 0; i++) {
        if (line[i] === '"') quoted = !quoted;
        else if (!quoted && line[i] === ';') cuts.push(i);
        else if (!quoted && line[i] === ':') end = i;
      }
      if (end < 0 || !cuts.length) return line;
      const bounds = [...cuts, end];
      let out = line.slice(0, cuts[0]);
      for (let k = 0; k < cuts.length; k++) {
        const p = line.slice((bounds[k] as number) + 1, bounds[k + 1]);
        out += `;${/^[A-Za-z0-9-]+$/.test(p) ? `${BARE_ENCODINGS.has(p.toLowerCase()) ? 'ENCODING' : 'TYPE'}=${p}` : p}`;
      }
      return out + line.slice(end);
    })
    .join('');
}

/** Every top-level component in the text (a .vcf may hold several cards). Throws when unreadable. */
export function parseJ(text: string): JComp[] {
  const parsed = ICAL.parse(nameBareParameters(joinSoftBreaks(text))) as unknown;
  if (!Array.isArray(parsed) || parsed.length === 0) throw new Error('empty');
  return (typeof parsed[0] === 'string' ? [parsed] : parsed) as JComp[];
}

export function stringifyJ(comps: readonly JComp[]): string {
  return comps.map((c) => ICAL.stringify(c as unknown as Parameters<typeof ICAL.stringify>[0])).join('\r\n') + '\r\n';
}

/** Value types that hold no free text (dates, numbers, rules): never masked. */
export const NON_TEXT = new Set([
  'date',
  'date-time',
  'duration',
  'period',
  'recur',
  'integer',
  'float',
  'utc-offset',
  'boolean',
  'time',
  'date-and-or-time',
  'timestamp',
  'binary',
]);

/**
 * Whether a property, parameter or component name is one to copy: an iana-token or x-name (RFC 5545
 * §3.1, RFC 6350 §3.3: letters, digits, `-`) that masking (`text`) leaves as it is. Another (an
 * address, `X-bob.stone@shopmail.de`; a quoted-printable line's continuation read as a property) is
 * removed with what it names.
 */
export function plainName(name: string, text: (s: string) => string): boolean {
  return /^[A-Za-z0-9-]{1,100}$/.test(name) && text(name) === name;
}

/** `plainName` remembered per name for one text's walk (its names repeat: DTSTART, SUMMARY…), so masking runs once a name. */
export function plainNames(text: (s: string) => string): (name: string) => boolean {
  const seen = new Map<string, boolean>();
  return (name) => {
    let ok = seen.get(name);
    if (ok === undefined) seen.set(name, (ok = plainName(name, text)));
    return ok;
  };
}

const DATA_URI = /^\s*data:[^,\s]*,/i;

/** Whether a property's value is a file given as a data: URI (RFC 2397; `ATTACH:data:…;base64,…`, a vCard 4 value so written). */
export function holdsFile(p: JProp): boolean {
  return p.slice(3).some((v) => typeof v === 'string' && DATA_URI.test(v));
}

/** Maps every string inside a value (vCard structured values are nested arrays). */
export function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  return v;
}

/** Quoted-printable (RFC 2045 §6.7) decoded into bytes (a character that is not an escape as its UTF-8). */
function quotedPrintableBytes(s: string): Uint8Array {
  const bytes: number[] = [];
  const t = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < t.length; i++) {
    const hex = t[i] === '=' ? /^[0-9A-Fa-f]{2}$/u.exec(t.slice(i + 1, i + 3)) : null;
    if (hex) {
      bytes.push(parseInt(hex[0], 16));
      i += 2;
    } else for (const b of Buffer.from(t[i] as string, 'utf8')) bytes.push(b);
  }
  return Uint8Array.from(bytes);
}

/**
 * A value as its program reads it by its CHARSET (vCard 2.1, vCalendar 1.0), or null when no decoder
 * here knows the charset (charsets.ts: EBCDIC…). Text that is all ASCII is read as those bytes (in
 * UTF-7 `bob+AEA-shop.de` is `bob@shop.de`); other text stays as the part was read (its bytes are
 * not known any more, and the card goes out as UTF-8 without the parameter, so it shows as read).
 */
function inCharset(s: string, charset: string): string | null {
  if (!knowsCharset(charset)) return null;
  return /^[\x00-\x7f]*$/.test(s)
    ? readCharset(
        Uint8Array.from(s, (c) => c.charCodeAt(0)),
        charset,
      )
    : s;
}

/**
 * A property as its program reads it, by its ENCODING parameter (vCard 2.1 and 3.0, RFC 2426 §5.1;
 * vCalendar 1.0; iCalendar's BASE64, RFC 5545 §3.2.7): quoted-printable decoded into text (CHARSET read, both parameters dropped); base64
 * (`b`, `BASE64`) or any other encoding: null, bytes that are not read here (a photo under an X-
 * name, a note written in base64, a file inside an invitation), so removed; none, 7bit or 8bit: as it is,
 * but a CHARSET read and dropped (round 19: `NOTE;CHARSET=UTF-7:bob+AEA-shop.de` showed an address to
 * the contacts program); a charset not read here (charsets.ts) removes the property.
 */
export function decoded(p: JProp): JProp | null {
  const param = (k: string) => Object.entries(p[1]).find(([key]) => key.toLowerCase() === k)?.[1];
  const encoding = param('encoding');
  const charset = param('charset');
  const e = encoding === undefined ? undefined : String(encoding).toLowerCase();
  if (e !== undefined && e !== '7bit' && e !== '8bit' && e !== 'quoted-printable') return null;
  if (e !== 'quoted-printable' && charset === undefined) return p;
  const cs = charset === undefined ? 'utf-8' : String(charset);
  // The value as text, or null (the property removed) when a string of it is in a charset not read here.
  let unread = false;
  const read = (x: string): string => {
    const t = e === 'quoted-printable' ? readCharset(quotedPrintableBytes(x), cs) : inCharset(x, cs);
    if (t === null) unread = true;
    return t ?? '';
  };
  const params = Object.fromEntries(Object.entries(p[1]).filter(([k]) => !['encoding', 'charset'].includes(k.toLowerCase())));
  const values = p.slice(3).map((v) => mapStrings(v, read));
  return unread ? null : [p[0], params, e === 'quoted-printable' ? 'text' : p[2], ...values];
}

/**
 * A vCard 2.1 or vCalendar 1.0 property whose value is not ASCII, labelled `CHARSET=UTF-8` (as
 * Outlook writes one): such a value without a CHARSET is read in the reader's Windows code page
 * (vCard 2.1 §2.1.5, vCalendar 1.0 §2.1.3 leave the default to the program), so UTF-8 bytes would
 * show as other letters (cp932 reads U+10081's bytes as a full-width letter pair), not as what
 * masking judged. vCard 3/4 and iCalendar are UTF-8 by their MIME part (RFC 2425, 6350, 5545).
 */
export function labelledUtf8(p: JProp): JProp {
  let wide = false;
  for (const v of p.slice(3)) mapStrings(v, (s) => ((wide ||= /[^\x00-\x7f]/.test(s)), s));
  return wide && !NON_TEXT.has(p[2]) ? [p[0], { ...p[1], charset: 'UTF-8' }, p[2], ...p.slice(3)] : p;
}
