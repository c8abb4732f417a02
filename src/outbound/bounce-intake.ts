// Owns what an asynchronous bounce to one of our signed bounce addresses does. It is weighed as the
// evidence it can be (core/bounce-report.ts judgeBounce): only a permanent failure that quotes the
// Message-ID we sent, after the hand-over and within the window, marks the delivery failed, marks the
// buyer undeliverable when its status says the mailbox is gone (final-failure.ts, the same table and
// writes as a smarthost's refusal at delivery) and tells the author with our own fixed text. Every bounce is
// recorded (bounce_reports) with what it was taken for; its diagnostic only scrubbed, one line.
// Storage goes through the ports (store/ports.ts): a believed bounce's writes are one unit of work.
import type { Logger } from 'pino';
import { judgeBounce, oneLineStatus, readBounce } from '../core/bounce-report.js';
import { redactAddresses } from '../core/redact-addresses.js';
import type { ParsedMail } from '../core/types.js';
import type { Storage } from '../store/ports.js';
import type { BounceAddresses } from './bounce-address.js';
import type { FailureNotices } from './failure-notice.js';
import { writeFinalFailure } from './final-failure.js';

const latin1 = new TextDecoder('latin1');

/**
 * Whether any part a reader or parser sees (text, HTML, returned headers, attachments) quotes `id`;
 * a part whose bytes stayed on the pool thread by the Message-IDs its header section names there
 * (`messageIds`: a returned message sent as a large binary part).
 */
function quotes(mail: ParsedMail, id: string): boolean {
  if (!id) return false;
  const needle = id.toLowerCase();
  if ((mail.text ?? '').toLowerCase().includes(needle) || (mail.html ?? '').toLowerCase().includes(needle)) return true;
  return mail.attachments.some((a) => (a.messageIds ?? []).some((m) => m.toLowerCase() === needle) || latin1.decode(a.content).toLowerCase().includes(needle));
}

/** The ports bounce intake uses. */
export type BounceStorage = Pick<Storage, 'outbox' | 'records' | 'bounces' | 'write'>;

export class BounceIntake {
  readonly #storage: BounceStorage;
  readonly #notices: FailureNotices;
  readonly #addresses: BounceAddresses;
  readonly #domains: readonly string[];
  readonly #windowMs: number;

  /** `windowMs`: how long after the hand-over a bounce is believed (the bounce address's validity). */
  constructor(storage: BounceStorage, addresses: BounceAddresses, notices: FailureNotices, domains: readonly string[], windowMs: number) {
    this.#addresses = addresses;
    this.#storage = storage;
    this.#notices = notices;
    this.#domains = domains;
    this.#windowMs = windowMs;
  }

  /** Which delivery a bounce address names, if we signed it and it is still valid. */
  verify(local: string): ReturnType<BounceAddresses['verify']> {
    return this.#addresses.verify(local);
  }

  async handle(mail: ParsedMail, outboxId: number, log: Logger, now = Date.now()): Promise<'failed' | 'ignored'> {
    const report = readBounce(mail.subject, mail.text ?? '');
    const row = await this.#storage.outbox.get(outboxId);
    const sent = row?.messageId != null ? ((await this.#storage.records.message(row.messageId))?.relayMessageId ?? '') : '';
    const judged = judgeBounce(report, {
      row: row ? { kind: row.kind, status: row.status, handedOverAt: row.doneAt } : null,
      quotesOurMessageId: quotes(mail, sent),
      now,
      windowMs: this.#windowMs,
    });
    // What the remote side said, as we keep it: no address (the diagnostic may name a forwarding
    // target), no link, one line.
    const diagnostic = report.diagnostic ? oneLineStatus(redactAddresses(report.diagnostic, this.#domains), 300) : null;
    const kept = { outboxId, receivedAt: now, outcome: judged.outcome, reason: judged.reason, status: report.status ?? null, diagnostic };
    if (judged.outcome === 'ignored' || !row) {
      await this.#storage.bounces.record(kept);
      log.info({ event: 'bounce.ignored', outboxId, kind: report.kind, status: report.status, reason: judged.reason }, 'bounce changes nothing');
      return 'ignored';
    }
    const error = `bounced after delivery: ${report.status ?? 'permanent failure'}${diagnostic ? ` ${diagnostic}` : ''}`.slice(0, 1000);
    // The buyer's mailbox is judged only when the report is about it: a DSN whose Final-Recipient is
    // another address reports a forwarding target (a .forward or a provider's forwarding keeps our
    // bounce address), and the buyer's own mailbox took the message (round-17 attack).
    const aboutBuyer = report.finalRecipients.length === 0 || report.finalRecipients.includes(row.envTo.toLowerCase());
    const { undeliverable } = await this.#storage.write(async (tx) => {
      await tx.bounces.record(kept);
      return writeFinalFailure(tx, row, row.attempts, error, aboutBuyer ? report.status : null);
    });
    log.info({ event: 'bounce.failed', outboxId, status: report.status, undeliverable }, 'delivery failed after a bounce');
    // The author learns the status code only: the words of a report are not ours to sign.
    await this.#notices.send(
      { ...row, status: 'failed' },
      row.attempts,
      `the recipient's mail server reported a permanent failure${report.status ? ` (${report.status})` : ''}`,
    );
    return 'failed';
  }
}
