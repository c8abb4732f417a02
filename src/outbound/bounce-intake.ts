// Owns what an asynchronous bounce to one of our signed bounce addresses does: a permanent failure
// marks the delivery failed, marks a hard-bounced buyer undeliverable, and tells the author
// (masked). Delays and unclear reports change nothing.
import type { Logger } from 'pino';
import { readBounce } from '../core/bounce-report.js';
import type { ParsedMail } from '../core/types.js';
import type { GroupCommit } from '../relay/group-commit.js';
import type { Db } from '../store/db.js';
import { OutboxRepo } from '../store/outbox.js';
import { stmt } from '../store/statements.js';
import type { BounceAddresses } from './bounce-address.js';
import type { FailureNotices } from './failure-notice.js';

export class BounceIntake {
  readonly #db: Db;
  readonly #outbox: OutboxRepo;
  readonly #commit: GroupCommit;
  readonly #notices: FailureNotices;
  readonly #addresses: BounceAddresses;

  constructor(db: Db, commit: GroupCommit, addresses: BounceAddresses, notices: FailureNotices) {
    this.#addresses = addresses;
    this.#db = db;
    this.#outbox = new OutboxRepo(db);
    this.#commit = commit;
    this.#notices = notices;
  }

  /** Which delivery a bounce address names, if we signed it and it is still valid. */
  verify(local: string): ReturnType<BounceAddresses['verify']> {
    return this.#addresses.verify(local);
  }

  async handle(mail: ParsedMail, outboxId: number, log: Logger): Promise<'failed' | 'ignored'> {
    const report = readBounce(mail.subject, mail.text ?? '');
    const row = this.#outbox.get(outboxId);
    if (!row || row.kind !== 'relay' || report.kind !== 'hard' || row.status === 'failed') {
      log.info({ event: 'bounce.ignored', outboxId, kind: report.kind, status: report.status }, 'bounce changes nothing');
      return 'ignored';
    }
    const error = `bounced after delivery: ${report.status ?? ''} ${report.diagnostic ?? mail.subject}`.replace(/\s+/g, ' ').trim().slice(0, 1000);
    await this.#commit.run(() => {
      this.#outbox.markFailed(row.id, row.attempts, error);
      // The failed address is a buyer's when the message went store → buyer.
      stmt(this.#db, 'UPDATE buyers SET undeliverable_at = ? WHERE email = ? AND undeliverable_at IS NULL').run(Date.now(), row.envTo);
    });
    log.info({ event: 'bounce.failed', outboxId, status: report.status }, 'delivery failed after a bounce');
    await this.#notices.send({ ...row, status: 'failed' }, row.attempts, error);
    return 'failed';
  }
}
