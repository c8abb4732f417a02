// Owns telling a message's author that it could not be delivered: one short, masked notice from
// the null sender, queued through the outbox. Never for a notice, never for machine-sent mail
// (auto-replies, lists), so two robots can never bounce notices at each other.
import { aliasAddress } from '../core/alias-token.js';
import { buildNotice } from '../core/non-delivery-notice.js';
import { newRelayMessageId, type OutboxEntry } from '../relay/outbox-entry.js';
import type { Db } from '../store/db.js';
import { MessageRepo } from '../store/messages.js';
import type { OutboxRow } from '../store/outbox.js';
import { PairRepo } from '../store/pairs.js';

export class FailureNotices {
  readonly #messages: MessageRepo;
  readonly #pairs: PairRepo;
  readonly #outbox: OutboxEntry;
  readonly #relayDomain: string;

  constructor(db: Db, outbox: OutboxEntry, relayDomain: string) {
    this.#messages = new MessageRepo(db);
    this.#pairs = new PairRepo(db);
    this.#outbox = outbox;
    this.#relayDomain = relayDomain;
  }

  /** Queues the notice for a failed relay row; returns false when none is due. */
  async send(row: OutboxRow, attempts: number, error: string): Promise<boolean> {
    if (row.kind !== 'relay' || row.messageId === null) return false;
    const message = this.#messages.authorOf(row.messageId);
    if (!message || message.autoSubmitted) return false;
    const view = this.#pairs.byId(message.pairId);
    if (!view) return false;
    const toStore = message.direction === 'buyer_to_store';
    const mail = buildNotice({
      authorEmail: message.authorEmail,
      relayDomain: this.#relayDomain,
      recipientName: toStore ? view.store.name : view.buyer.name || 'Buyer',
      aliasAddress: aliasAddress(view.pair.token, this.#relayDomain),
      failedAddress: row.envTo,
      subject: message.subject,
      reason: error,
      attempts,
      messageId: newRelayMessageId(this.#relayDomain),
      inReplyTo: null,
      now: new Date(),
    });
    // The author's address comes from our database (the message row), never from a header.
    const messageId = row.messageId;
    await this.#outbox.post([{ mail, kind: 'notice', envFrom: '', envTo: message.authorEmail, record: () => messageId }]);
    return true;
  }
}
