// Owns the shape of jCal/jCard (RFC 7265, RFC 7095): the plain arrays ical.js parses iCalendar and
// vCard into and writes back (folding at 75 octets, escaping). Masking walks these arrays.
import ICAL from 'ical.js';

/** [name, params, type, ...values] */
export type JProp = [string, Record<string, unknown>, string, ...unknown[]];
/** [name, properties, sub-components] */
export type JComp = [string, JProp[], JComp[]];

/** Every top-level component in the text (a .vcf may hold several cards). Throws when unreadable. */
export function parseJ(text: string): JComp[] {
  const parsed = ICAL.parse(text) as unknown;
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

/** Maps every string inside a value (vCard structured values are nested arrays). */
export function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  return v;
}
