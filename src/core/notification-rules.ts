// Owns when a staff member is told about a new buyer message: rules of category × weekdays × a
// time window (which may cross midnight, e.g. 22:00–06:00) × store. Pure: the caller gives the
// message's local weekday and minute in the admin's time zone.
import type { Category } from './categorize.js';

export interface NotificationRule {
  readonly userId: number;
  /** null: every category. */
  readonly category: Category | null;
  /** null: every store the user may see. */
  readonly storeId: number | null;
  /** Bit d set (d = 0 Sunday … 6 Saturday) when the rule is on that day. */
  readonly weekdays: number;
  /** Minutes after local midnight; start === end means all day. */
  readonly startMinute: number;
  readonly endMinute: number;
}

export interface LocalTime {
  /** 0 Sunday … 6 Saturday. */
  readonly weekday: number;
  readonly minute: number;
}

const on = (weekdays: number, day: number) => (weekdays & (1 << ((day + 7) % 7))) !== 0;

/** Whether a window of the rule is open at this local time. A window that crosses midnight belongs to the day it starts. */
export function windowOpen(rule: Pick<NotificationRule, 'weekdays' | 'startMinute' | 'endMinute'>, t: LocalTime): boolean {
  const { startMinute: s, endMinute: e } = rule;
  if (s === e) return on(rule.weekdays, t.weekday);
  if (s < e) return on(rule.weekdays, t.weekday) && t.minute >= s && t.minute < e;
  // Crosses midnight: the evening part today, or the early part of the day after a rule day.
  return (on(rule.weekdays, t.weekday) && t.minute >= s) || (on(rule.weekdays, t.weekday - 1) && t.minute < e);
}

export function ruleMatches(rule: NotificationRule, m: { category: Category; storeId: number; at: LocalTime }, userStores: readonly number[]): boolean {
  if (!userStores.includes(m.storeId)) return false;
  if (rule.storeId !== null && rule.storeId !== m.storeId) return false;
  if (rule.category !== null && rule.category !== m.category) return false;
  return windowOpen(rule, m.at);
}

/** Local weekday and minute of an instant in an IANA time zone. */
export function localTime(ms: number, timeZone: string): LocalTime {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(
    new Date(ms),
  );
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return { weekday, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

export interface DigestItem {
  readonly storeName: string;
  readonly buyerName: string;
  readonly subject: string;
  readonly category: string;
  readonly link: string;
}

/** The text of one notification email: one message, or a digest of several that came together. */
export function digestText(items: readonly DigestItem[]): { subject: string; text: string } {
  const first = items[0];
  const subject = items.length === 1 && first ? `New buyer message: ${first.subject || '(no subject)'}`.slice(0, 200) : `${items.length} new buyer messages`;
  const lines = items.map((i) => `- ${i.storeName} · ${i.buyerName || 'a buyer'} · ${i.category}: ${i.subject || '(no subject)'}\n  ${i.link}`);
  return {
    subject,
    text: [
      `${items.length === 1 ? 'A buyer message is' : `${items.length} buyer messages are`} waiting in maskgate:`,
      '',
      ...lines,
      '',
      'You get this because of a notification rule in the admin (Settings → Notifications).',
    ].join('\n'),
  };
}
