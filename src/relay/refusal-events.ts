// Owns the `message.refused` event: a message refused after it was written (at the end of SMTP
// DATA, or a web/API send) stores nothing, so its event is the one row written, in a small commit
// of its own after the refusal was decided. Only refusals that name one of our stores or pairs are
// reported (mail to unknown aliases is refused at RCPT and concerns no store); campaign mail is
// not (the campaign records its skipped recipients and reports them in campaign.finished). The
// sentence keeps only the domain of an address it quotes (a file name, a From read two ways).
import type { Logger } from 'pino';
import { isRefusal, parseRecipient } from '../core/alias-token.js';
import { redactAddresses } from '../core/redact-addresses.js';
import { refusalText, VERDICTS, type Refusal } from '../core/verdicts.js';
import type { MailStore, NewEvent } from '../store/ports.js';

export interface RefusedMessage {
  readonly recipients: readonly string[];
  readonly source: string;
  readonly log: Logger;
}

export class RefusalEvents {
  readonly #mail: MailStore;
  readonly #domains: readonly string[];

  /** mail: the storage's mail port (its events ride the group commit on SQLite). */
  constructor(mail: MailStore, domains: readonly string[]) {
    this.#mail = mail;
    this.#domains = domains;
  }

  /** Never throws: a failure to record is logged, and the refusal is answered regardless. */
  async record(m: RefusedMessage, r: Refusal): Promise<void> {
    try {
      const targets: { storeId: number; alias: string | null }[] = [];
      for (const rcpt of new Set(m.recipients)) {
        const parsed = parseRecipient(rcpt, this.#domains);
        if (isRefusal(parsed)) continue;
        if (parsed.kind === 'alias') {
          const view = await this.#mail.pairByToken(parsed.token);
          if (view) targets.push({ storeId: view.store.id, alias: view.pair.token });
        } else if (parsed.kind === 'store') {
          const store = await this.#mail.storeBySlug(parsed.slug);
          if (store) targets.push({ storeId: store.id, alias: null });
        }
      }
      if (targets.length === 0) return;
      const [smtp, enhanced] = VERDICTS[r.code].smtp;
      const now = Date.now();
      const events: NewEvent[] = targets.map((t) => ({
        type: 'message.refused',
        storeId: t.storeId,
        data: {
          alias: t.alias,
          source: m.source,
          code: r.code,
          httpStatus: VERDICTS[r.code].http,
          smtpReply: `${smtp} ${enhanced}`,
          reason: redactAddresses(refusalText(r), this.#domains),
        },
      }));
      await this.#mail.appendEvents(events, now);
    } catch (err) {
      m.log.error({ event: 'relay.refusal-event-error', err: (err as Error).message }, 'could not record the refusal event');
    }
  }
}
