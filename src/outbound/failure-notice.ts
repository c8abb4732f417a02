// Owns telling a message's author that it could not be delivered: one short, masked notice from
// the null sender, queued through the outbox. Never for a notice, never for machine-sent mail
// (auto-replies, lists), so two robots can never bounce notices at each other.
import { aliasAddress } from '../core/alias-token.js';
import { buildNotice } from '../core/non-delivery-notice.js';
import { composeMail } from '../relay/compose.js';
import type { GroupCommit } from '../relay/group-commit.js';
import { newRelayMessageId } from '../relay/pipeline.js';
import type { Db } from '../store/db.js';
import { MessageRepo } from '../store/messages.js';
import { OutboxRepo, type OutboxRow } from '../store/outbox.js';
import { PairRepo } from '../store/pairs.js';
import type { Signer } from './dkim.js';

export class FailureNotices {
  readonly #messages: MessageRepo;
  readonly #pairs: PairRepo;
  readonly #outbox: OutboxRepo;
  readonly #commit: GroupCommit;
  readonly #relayDomain: string;
  readonly #sign: Signer;
  readonly #queued: () => void;

  constructor(db: Db, commit: GroupCommit, relayDomain: string, sign: Signer, queued: () => void) {
    this.#messages = new MessageRepo(db);
    this.#pairs = new PairRepo(db);
    this.#outbox = new OutboxRepo(db);
    this.#commit = commit;
    this.#relayDomain = relayDomain;
    this.#sign = sign;
    this.#queued = queued;
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
    const bytes = await this.#sign(await composeMail(mail));
    // The author's address comes from our database (the message row), never from a header.
    await this.#commit.run(() => this.#outbox.enqueue({ messageId: row.messageId, kind: 'notice', envFrom: '', envTo: message.authorEmail, raw: bytes }));
    this.#queued();
    return true;
  }
}
