// Owns telling staff about new buyer messages by email, per their notification rules: every
// interval it looks at buyer messages that arrived at least `delayMs` ago (so several that arrive
// together become one digest), skips the ones already read, and queues one email per person
// through the outbox (DKIM-signed, from the null sender like every automatic notice), in the same
// unit of work as the record of what it announced. It reads and writes through the notifications
// port, so it runs on either database; with several nodes it runs under the `notifier` job lease
// (one node at a time), and the record's (user, message) key keeps a message to one mention even
// when a lease changes hands mid-pass.
import { redactAddresses } from '../core/redact-addresses.js';
import type { Logger } from 'pino';
import { localTime, ruleMatches, digestText, type DigestItem } from '../core/notification-rules.js';
import { CATEGORY_LABELS } from '../core/categorize.js';
import type { Letter, OutboxEntry } from '../relay/outbox-entry.js';
import { noticeMail } from './notice-mail.js';
import type { NotificationOutcome, NotificationStore } from '../store/ports.js';

export interface NotifierOptions {
  readonly domain: string;
  readonly timeZone: string;
  /** Where links in the email point: the admin's public URL. */
  readonly adminUrl: () => string;
  readonly intervalMs: number;
  readonly delayMs: number;
}

/** Messages older than this when rules are first checked are not announced (no flood after an upgrade). */
const LOOKBACK_MS = 24 * 3600 * 1000;

export class Notifier {
  readonly #repo: NotificationStore;
  readonly #outbox: OutboxEntry;
  readonly #o: NotifierOptions;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;

  /** outbox: an OutboxEntry writing through the ports (storageLetters), which `alongsideTx` needs. */
  constructor(store: NotificationStore, outbox: OutboxEntry, o: NotifierOptions, log: Logger) {
    this.#repo = store;
    this.#outbox = outbox;
    this.#o = o;
    this.#log = log;
  }

  start(): void {
    this.#timer = setInterval(() => void this.tick(), this.#o.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /** One pass; never two at once. */
  tick(now = Date.now()): Promise<void> {
    this.#running ??= this.#run(now)
      .catch((err: Error) => this.#log.error({ event: 'notify.error', err: err.message }, 'notification pass failed'))
      .finally(() => {
        this.#running = null;
      });
    return this.#running;
  }

  async #run(now: number): Promise<void> {
    const rules = await this.#repo.rules();
    const userIds = [...new Set(rules.map((r) => r.userId))];
    const until = now - this.#o.delayMs;
    for (const userId of userIds) {
      const user = await this.#repo.member(userId);
      if (!user || user.disabledAt !== null) continue;
      const stores = user.storeIds;
      const mine = rules.filter((r) => r.userId === userId);
      const items: DigestItem[] = [];
      const sent: number[] = [];
      const skipped: [number, NotificationOutcome][] = [];
      for (const m of await this.#repo.candidates(userId, now - LOOKBACK_MS, until)) {
        const at = localTime(m.receivedAt, this.#o.timeZone);
        if (!mine.some((r) => ruleMatches(r, { category: m.category, storeId: m.storeId, at }, stores))) skipped.push([m.id, 'no_rule']);
        else if (m.read) skipped.push([m.id, 'skipped_read']);
        else {
          sent.push(m.id);
          items.push({
            storeName: m.storeName,
            // Texts that came from outside never carry a real address into staff mail.
            buyerName: redactAddresses(m.buyerName, [this.#o.domain]),
            subject: redactAddresses(m.subject, [this.#o.domain]),
            category: CATEGORY_LABELS[m.category] ?? m.category,
            link: `${this.#o.adminUrl()}/conversations/${m.pairId}`,
          });
        }
      }
      const letters: Letter[] = [];
      if (items.length) {
        const { subject, text } = digestText(items);
        const mail = noticeMail(this.#o.domain, { name: user.name, address: user.email }, subject, text, now);
        letters.push({ mail, kind: 'notice', envFrom: '', envTo: user.email });
      }
      // The email and the record of what it announced land together.
      const outcomes: [number, NotificationOutcome][] = [...sent.map((id): [number, NotificationOutcome] => [id, 'sent']), ...skipped];
      if (outcomes.length === 0) continue;
      await this.#outbox.post(letters, { now, alongsideTx: (tx) => tx.notifications.record(userId, outcomes, now) });
      if (letters.length) this.#log.info({ event: 'notify.sent', userId, messages: sent.length }, 'notification queued');
    }
  }
}
