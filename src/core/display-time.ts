// Owns how a time is written for staff: "YYYY-MM-DD HH:mm" (or the date alone) in a given IANA time
// zone, daylight saving time included. The admin picks the zone per viewer (views/time-format.ts).

const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    formats.set(timeZone, f);
  }
  return f;
}

/** `2026-11-29 15:04` in `timeZone` (epoch ms in); `date` gives `2026-11-29`; null or undefined gives an em dash. */
export function formatInZone(ms: number | null | undefined, timeZone: string, precision: 'minute' | 'date' = 'minute'): string {
  if (ms === null || ms === undefined) return '—';
  const parts = format(timeZone).formatToParts(new Date(ms));
  const get = (t: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === t)?.value ?? '';
  const date = `${get('year')}-${get('month')}-${get('day')}`;
  return precision === 'date' ? date : `${date} ${get('hour')}:${get('minute')}`;
}

/** Whether `tz` is an IANA time zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
}

/** How far `timeZone`'s wall clock is ahead of UTC at `ms` (ms; negative west of Greenwich). */
function offsetAt(ms: number, timeZone: string): number {
  const minute = Math.floor(ms / 60_000) * 60_000;
  const wall = formatInZone(minute, timeZone);
  return Date.parse(`${wall.replace(' ', 'T')}:00Z`) - minute;
}

/**
 * The instant (epoch ms) a wall-clock time `YYYY-MM-DDTHH:mm[:ss]` (a datetime-local field) names in
 * `timeZone`; null when it is not such a time. A time skipped by a daylight-saving change is read
 * with the offset before the change.
 */
export function zonedToUtc(local: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(asUtc);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  const first = asUtc - offsetAt(asUtc, timeZone);
  return asUtc - offsetAt(first, timeZone);
}
