// Owns telling a message's author that it could not be delivered: one short, masked notice from
// the null sender, queued through the outbox. Never for a notice, never for machine-sent mail
// (auto-replies, lists), so two robots can never bounce notices at each other.
import { aliasAddress } from '../core/alias-token.js';
import { buildNotice } from '../core/non-delivery-notice.js';
import { newRelayMessageId, type OutboxEntry } from '../relay/outbox-entry.js';
import type { OutboxRow } from '../store/outbox.js';
import type { MailStore } from '../store/ports.js';

export class FailureNotices {
  readonly #mail: MailStore;
  readonly #outbox: OutboxEntry;
  readonly #relayDomain: string;

  /** mail: the storage's mail port (the message's author and pair, on either database). */
  constructor(mail: MailStore, outbox: OutboxEntry, relayDomain: string) {
    this.#mail = mail;
    this.#outbox = outbox;
    this.#relayDomain = relayDomain;
  }

  /** Queues the notice for a failed relay row; returns false when none is due. */
  async send(row: OutboxRow, attempts: number, error: string): Promise<boolean> {
    if (row.kind !== 'relay' || row.messageId === null) return false;
    const message = await this.#mail.messageAuthor(row.messageId);
    if (!message || message.autoSubmitted) return false;
    const view = await this.#mail.pairById(message.pairId);
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
    await this.#outbox.post([{ mail, kind: 'notice', envFrom: '', envTo: message.authorEmail, forMessage: row.messageId }]);
    return true;
  }
}
