// Owns who a campaign's test email may go to and how often. A test is the store's content rendered
// with a real buyer's name and alias, sent from the store's domain: so only to addresses the team
// already has — the login of a staff account that works on the store (enabled), the store's
// mailbox, its enabled permitted senders — and at most TEST_EMAILS_PER_HOUR per user, so a staff
// account (or a stolen session) cannot mail it to anyone, or flood anyone. In memory, per process,
// like the login throttle.
import type { AdminStore } from '../../store/ports.js';

/** Test emails one user may send in an hour. */
export const TEST_EMAILS_PER_HOUR = 20;
const WINDOW_MS = 3_600_000;

/**
 * The addresses a test email of `storeId`'s campaign may go to, lower-cased: `me` (the user's own
 * login) first, then the rest in alphabetical order. Empty when the store is unknown.
 */
export async function testRecipients(admin: Pick<AdminStore, 'users' | 'stores'>, storeId: number, me: string): Promise<string[]> {
  const store = await admin.stores.get(storeId);
  if (!store) return [];
  const staff = await Promise.all(
    (await admin.users.list()).filter((u) => u.disabledAt === null).map(async (u) => ((await admin.users.storeIds(u)).includes(storeId) ? u.email : null)),
  );
  const senders = (await admin.stores.senders(storeId)).filter((s) => s.status === 'enabled').map((s) => s.email);
  const all = new Set([...staff, store.mailbox, ...senders].filter((a): a is string => a !== null).map((a) => a.toLowerCase()));
  const rest = [...all].filter((a) => a !== me.toLowerCase()).sort();
  return all.has(me.toLowerCase()) ? [me.toLowerCase(), ...rest] : rest;
}

/** An allowed test email, counted: give it back when it was not sent after all. */
export interface TestEmailTicket {
  release(): void;
}

/** A sliding hour per user: TEST_EMAILS_PER_HOUR test emails, counted before anything is sent. */
export class TestEmailLimit {
  readonly #sent = new Map<number, number[]>();
  readonly #limit: number;
  constructor(limit = TEST_EMAILS_PER_HOUR) {
    this.#limit = limit;
  }

  /**
   * Counts one test email for `userId`, or says how many milliseconds until the next may go.
   * Synchronous: between two awaits no other request runs, so concurrent tests cannot slip past.
   */
  take(userId: number, now = Date.now()): { ticket: TestEmailTicket } | { waitMs: number } {
    const recent = (this.#sent.get(userId) ?? []).filter((t) => t > now - WINDOW_MS);
    if (recent.length >= this.#limit) return { waitMs: (recent[recent.length - this.#limit] as number) + WINDOW_MS - now };
    recent.push(now);
    this.#sent.set(userId, recent);
    return {
      ticket: {
        release: () => {
          const list = this.#sent.get(userId) ?? [];
          const at = list.indexOf(now);
          if (at >= 0) list.splice(at, 1);
          if (!list.length) this.#sent.delete(userId);
        },
      },
    };
  }
}
