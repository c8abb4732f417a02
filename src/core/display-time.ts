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
