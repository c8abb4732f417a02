// What the campaign pages share: the frame props, store options, times in the admin time zone,
// and the status labels.
import type { Campaign } from '../src/store/campaigns.js';

export interface Frame {
  user: { name: string; role: string };
  csrf: string;
}

export type StoreOption = { id: number; name: string };

export const when = (ms: number | null, tz: string) =>
  ms === null ? '—' : new Intl.DateTimeFormat('en-GB', { timeZone: tz, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms)) + ` (${tz})`;

export const STATUS_LABEL: Record<Campaign['status'], string> = {
  draft: 'draft',
  scheduled: 'scheduled',
  late: 'late: waiting for a confirmation',
  sending: 'sending',
  paused: 'paused',
  done: 'done',
  cancelled: 'cancelled',
};
