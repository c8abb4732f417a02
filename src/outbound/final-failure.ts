// Owns what a delivery that failed for good writes, whichever way the failure came: the smarthost's
// refusal at delivery (worker.ts) or a mailed bounce (bounce-intake.ts). The outbox row is failed
// (with its `delivery.failed` event) and, when the status says the mailbox is gone
// (core/mailbox-gone.ts) and the row carried a relayed message, the buyer with that address is
// marked undeliverable: the same row, the same event, in one unit of work.
import { mailboxVerdict } from '../core/mailbox-gone.js';
import type { OutboxRow, Repositories, Storage } from '../store/ports.js';

/** The delivery that failed: which row, to whom, and what it carried. */
export type FailedRow = Pick<OutboxRow, 'id' | 'kind' | 'envTo'>;

/**
 * Inside a unit of work: fails the row with `error` (already scrubbed: stored and shown to staff)
 * and marks the recipient undeliverable when `status` (an enhanced status code, or null) says the
 * mailbox is gone. Returns whether it marked. Notices are sent only to authors (`notice` rows), so
 * only a relayed message's recipient can be a buyer.
 */
export async function writeFinalFailure(
  tx: Pick<Repositories, 'outbox' | 'bounces'>,
  row: FailedRow,
  attempts: number,
  error: string,
  status: string | null,
): Promise<{ readonly undeliverable: boolean }> {
  await tx.outbox.markFailed(row.id, attempts, error);
  const undeliverable = row.kind === 'relay' && mailboxVerdict(status) === 'gone';
  // The reason staff see: the scrubbed status text, one line (the alias in place of the address).
  if (undeliverable) await tx.bounces.markUndeliverable(row.envTo, undefined, error.replace(/\s+/g, ' ').trim().slice(0, 300));
  return { undeliverable };
}

/**
 * writeFinalFailure in a unit of work of its own, for the worker; and its converse, `accepted`: a
 * relayed message the smarthost accepted clears its recipient's undeliverable mark.
 */
export class FinalFailures {
  readonly #storage: Pick<Storage, 'write' | 'bounces'>;

  constructor(storage: Pick<Storage, 'write' | 'bounces'>) {
    this.#storage = storage;
  }

  /**
   * The smarthost accepted this row (not a capture: that proves nothing about the mailbox). A
   * relayed message's recipient marked undeliverable is not any more: the mailbox took mail again
   * (a mailed bounce arriving later marks it again). Campaign rows never go to a marked buyer and
   * notices never to a buyer. Returns whether a mark was cleared.
   */
  accepted(row: Pick<OutboxRow, 'kind' | 'envTo' | 'messageId'>): Promise<boolean> {
    if (row.kind !== 'relay' || row.messageId === null) return Promise.resolve(false);
    return this.#storage.bounces.clearUndeliverableAfterDelivery(row.envTo, row.messageId);
  }

  write(row: FailedRow, attempts: number, error: string, status: string | null): Promise<{ readonly undeliverable: boolean }> {
    return this.#storage.write((tx) => writeFinalFailure(tx, row, attempts, error, status));
  }
}
