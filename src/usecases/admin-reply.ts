// Owns "staff answer a conversation in the admin's reply box", on the storage ports (either
// database): the reply goes out as the store's mailbox through the one pipeline (the same rules,
// filters and masking as mail from Outlook), threaded under the buyer's latest message, with the
// staff user as the response clock's "who answered", and the user's draft goes once it is sent.
// The admin route (web/admin/routes-conversation.tsx) adds the form's one-time key and the page.
import type { Logger } from 'pino';
import { isRefusal } from '../core/alias-token.js';
import type { Refusal } from '../core/verdicts.js';
import type { Accepted, Relay } from '../relay/pipeline.js';
import { sendAsStore } from '../relay/send-as-store.js';
import type { ConversationMessage } from '../store/inbox.js';
import type { Repositories } from '../store/ports.js';

export interface MailboxSender {
  readonly id: number;
  readonly email: string;
  readonly storeId: number;
}

/** The store's mailbox as the permitted sender a reply goes out as; null when it is not one (or the pair is unknown). */
export async function mailboxSender(ports: Pick<Repositories, 'mail'>, pairId: number): Promise<MailboxSender | null> {
  const view = await ports.mail.pairById(pairId);
  if (!view) return null;
  const sender = await ports.mail.findSender(view.store.id, view.store.mailbox);
  return sender ? { id: sender.id, email: sender.email, storeId: view.store.id } : null;
}

export interface AdminReply {
  readonly pairId: number;
  readonly alias: string;
  readonly userId: number;
  readonly sender: MailboxSender;
  readonly subject: string;
  readonly text: string;
  readonly attachments?: readonly { readonly filename: string; readonly content: Buffer; readonly contentType?: string | undefined }[];
  /** The conversation as the page read it (read again when absent). */
  readonly messages?: readonly ConversationMessage[];
  readonly log: Logger;
}

/** Sends the reply; on success the user's draft of this conversation is removed. A refusal is returned, not thrown. */
export async function sendAdminReply(relay: Relay, ports: Pick<Repositories, 'inbox'>, r: AdminReply): Promise<Accepted | Refusal> {
  const messages = r.messages ?? (await ports.inbox.conversation(r.pairId));
  const lastBuyer = [...messages].reverse().find((m) => m.direction === 'buyer_to_store');
  const inReplyTo = lastBuyer ? await ports.inbox.relayIdInPair(lastBuyer.id, r.pairId) : null;
  const result = await sendAsStore(relay, {
    sender: r.sender,
    pairToken: r.alias,
    subject: r.subject,
    text: r.text,
    attachments: r.attachments,
    inReplyTo,
    source: 'web',
    staffUserId: r.userId, // the response clock's "who answered", in the reply's own commit
    log: r.log,
  });
  if (!isRefusal(result)) await ports.inbox.removeDraft(r.userId, r.pairId);
  return result;
}
