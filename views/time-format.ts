// The one formatter for times shown in the admin: in the time zone of the user looking at the page
// (their own setting, else the gateway's `admin.timeZone`), which the admin sets per request
// (withDisplayZone in src/web/admin/admin.ts), so a view need not be handed it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { formatInZone } from '../src/core/display-time.js';

const zone = new AsyncLocalStorage<string>();

/** Runs `fn` (a request) with times shown in `timeZone` (an IANA name). */
export function withDisplayZone<T>(timeZone: string, fn: () => T): T {
  return zone.run(timeZone, fn);
}

/** The time zone times are shown in for the current request; UTC outside one. */
export function displayZone(): string {
  return zone.getStore() ?? 'UTC';
}

/** `2026-11-29 15:04` in the viewer's zone; `date` gives `2026-11-29`; no time gives an em dash. */
export function formatTime(ms: number | null | undefined, precision: 'minute' | 'date' = 'minute'): string {
  return formatInZone(ms, displayZone(), precision);
}
