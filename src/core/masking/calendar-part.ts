// Owns masking a calendar invitation (text/calendar, RFC 5545 + iTIP RFC 5546) so it stays an
// invitation the recipient can accept: the organizer and the writer become the alias, the
// recipient (addressed by the alias) becomes the recipient's own address, other attendees are
// removed; every free-text property is masked like the body (an HTML one as HTML); files inside it (binary values) are
// removed; METHOD is kept and returned.
import type { MailAddress } from '../types.js';
import { decoded, holdsFile, labelledUtf8, mapStrings, plainNames, NON_TEXT, parseJ, stringifyJ, type JComp, type JProp } from './jcal.js';

export interface CalendarEnv {
  readonly text: (s: string) => string;
  /** Masks HTML as the body's is: a value declared `FMTTYPE=text/html` (X-ALT-DESC, which Outlook shows as the meeting's body). */
  readonly html: (s: string) => string;
  /**
   * An identifier (UID, RELATED-TO) with the writer's addresses in it as the alias and nothing else
   * changed, so the same UID always gives the same one.
   */
  readonly identifier: (s: string) => string;
  /** The pair alias: who the writer addressed. */
  readonly isAlias: (address: string) => boolean;
  /** Shown instead of the writer. */
  readonly alias: MailAddress;
  /** This delivery's recipient, who sees their own address. */
  readonly recipient: MailAddress;
}

export interface MaskedCalendar {
  readonly text: string;
  readonly method: string | null;
  readonly removedAttendees: number;
  /** Files the invitation carried inside it (binary values: `ATTACH;VALUE=BINARY`), removed. */
  readonly removedFiles: number;
}

// Properties whose value is an event's identifier (RFC 5545 §3.8.4.7 UID, §3.8.4.5 RELATED-TO, which
// names another's UID): the key by which a calendar program matches an update or a cancellation
// (RFC 5546 §2.1.5) to the event it holds. Not masked as text: a UID that looks like an address
// (`12345@shop.example`, Google's `…@google.com`) is no one's mailbox, and as `[email removed]` every
// such event would share one UID and an update would make a new event. Only the writer's addresses
// in one are replaced (env.identifier: by the alias, the same each time).
const IDENTIFIERS = new Set(['uid', 'related-to']);

// Parameters that name other people or point elsewhere: never copied.
const DROPPED_PARAMS = new Set(['sent-by', 'dir', 'member', 'delegated-to', 'delegated-from', 'altrep', 'email']);
const KEPT_PERSON_PARAMS = ['role', 'partstat', 'rsvp', 'cutype'];

function addressOf(value: unknown): string {
  const s = typeof value === 'string' ? value.replace(/^mailto:/i, '') : '';
  try {
    return decodeURIComponent(s).trim();
  } catch {
    return s.trim();
  }
}

function person(prop: JProp, who: MailAddress): JProp {
  const params: Record<string, unknown> = {};
  for (const k of KEPT_PERSON_PARAMS) if (prop[1][k] !== undefined) params[k] = prop[1][k];
  if (who.name) params.cn = who.name;
  return [prop[0], params, 'cal-address', `mailto:${who.address}`];
}

export function maskCalendar(source: string, env: CalendarEnv): MaskedCalendar {
  let removed = 0;
  let files = 0;
  let method: string | null = null;
  const named = plainNames(env.text);
  const parsed = parseJ(source);
  // The people the invitation names (organizer, attendees; not the alias): their addresses in a UID
  // become the alias too (round-17 attack: `20261201-4711-anna.private@othermail.example` with
  // that mailbox as ORGANIZER crossed, though the ORGANIZER beside it became the alias). The
  // organizer is the same in every update, so the masked UID stays one.
  const people = namedPeople(parsed, env.isAlias);
  const identifier = (s: string): string => aliasPeople(env.identifier(s), people, env.alias.address);
  const walk = (c: JComp): JComp => {
    const props: JProp[] = [];
    for (const read of c[1]) {
      // A file inside the invitation (RFC 5545 §3.2.7 ENCODING=BASE64, §3.3.1 BINARY; Outlook shows
      // it as the meeting's attachment): its bytes are no text to mask, nor a part the content
      // filter judges, so it does not cross; a vCalendar 1.0 value in quoted-printable is decoded.
      // A file as a data: URI (RFC 2397) the same. A property under a name that is no name (an
      // address) goes with its name.
      if (!named(read[0])) continue;
      const p = read[2] === 'binary' || holdsFile(read) ? null : decoded(read);
      if (p === null) {
        files++;
        continue;
      }
      const name = p[0].toLowerCase();
      if (name === 'method' && typeof p[3] === 'string') method = p[3].toUpperCase();
      if (name === 'organizer' || name === 'attendee') {
        const address = addressOf(p[3]);
        if (name === 'attendee' && env.isAlias(address)) props.push(person(p, env.recipient));
        else if (name === 'organizer') props.push(person(p, env.alias));
        else removed++;
        continue;
      }
      const params: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(p[1])) if (!DROPPED_PARAMS.has(k) && named(k)) params[k] = mapStrings(v, env.text);
      // HTML (X-ALT-DESC;FMTTYPE=text/html) is masked as HTML: an address split by a tag or written in entities read whole.
      const mask = /^\s*text\/html\b/i.test(String(p[1].fmttype ?? '')) ? env.html : env.text;
      const values = NON_TEXT.has(p[2]) ? p.slice(3) : p.slice(3).map((v) => mapStrings(v, IDENTIFIERS.has(name) ? identifier : mask));
      props.push([p[0], params, p[2], ...values]);
    }
    return [c[0], vCalendar1 ? props.map(labelledUtf8) : props, c[2].filter((sub) => named(sub[0])).map(walk)];
  };
  // vCalendar 1.0 (VERSION on the VCALENDAR, read for every component inside it): values not in
  // ASCII leave labelled CHARSET=UTF-8 (jcal.ts labelledUtf8).
  const vCalendar1 = parsed.some((c) => c[1].some((p) => p[0].toLowerCase() === 'version' && String(p[3]).trim() === '1.0'));
  const comps = parsed.filter((c) => named(c[0])).map(walk);
  return { text: stringifyJ(comps), method, removedAttendees: removed, removedFiles: files };
}

/** The lowercased addresses of ORGANIZER and ATTENDEE properties anywhere in `comps`, but the alias. */
function namedPeople(comps: readonly JComp[], isAlias: (a: string) => boolean): string[] {
  const found = new Set<string>();
  const visit = (c: JComp): void => {
    for (const p of c[1]) {
      const name = p[0].toLowerCase();
      if (name !== 'organizer' && name !== 'attendee') continue;
      const a = addressOf(p[3]).toLowerCase();
      if (a.includes('@') && !isAlias(a)) found.add(a);
    }
    c[2].forEach(visit);
  };
  comps.forEach(visit);
  return [...found];
}

/** `s` with each of `people` (case-insensitive, `@` written as `%40` too) as `alias`. */
function aliasPeople(s: string, people: readonly string[], alias: string): string {
  if (people.length === 0 || !/@|%40/i.test(s)) return s;
  let out = s;
  for (const a of people)
    for (const form of [a, a.replace('@', '%40')]) {
      const lower = out.toLowerCase();
      let at = lower.indexOf(form);
      if (at < 0) continue;
      let next = '';
      let from = 0;
      for (; at >= 0; at = lower.indexOf(form, at + form.length)) {
        next += out.slice(from, at) + alias;
        from = at + form.length;
      }
      out = next + out.slice(from);
    }
  return out;
}
