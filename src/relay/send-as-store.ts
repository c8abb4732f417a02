// Owns "the store writes to a buyer" from the API or the admin's reply box: compose the MIME and
// hand it to the one pipeline, as the given permitted sender, so the same rules and filters apply;
// or run it through them without sending, to preview what the buyer would get.
import type { Logger } from 'pino';
import type { Refusal } from '../core/verdicts.js';
import { composeAuthored } from './authored.js';
import type { AcceptInput, Accepted, CampaignHandover, Preview, Relay } from './pipeline.js';

export interface StoreMessage {
  readonly sender: { readonly id: number; readonly email: string; readonly storeId: number };
  readonly pairToken: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string | undefined;
  readonly attachments?: readonly { readonly filename: string; readonly content: Buffer; readonly contentType?: string | undefined }[];
  /** Relay Message-ID of the buyer message answered, if any. */
  readonly inReplyTo?: string | null | undefined;
  readonly source: 'api' | 'web' | 'campaign';
  /** Campaign mail: unsubscribe headers and footer, and the ledger update inside the commit. */
  readonly campaign?: CampaignHandover | undefined;
  /** The staff user writing in the admin's reply box: the response clock's "who answered", set in the reply's own commit. */
  readonly staffUserId?: number | undefined;
  readonly log: Logger;
}

export async function sendAsStore(relay: Relay, m: StoreMessage): Promise<Accepted | Refusal> {
  return relay.accept(await asInput(relay, m));
}

/** What sendAsStore would deliver (same rules, filters and rewrite), with nothing stored or sent. */
export async function previewAsStore(relay: Relay, m: StoreMessage): Promise<Preview | Refusal> {
  return relay.preview(await asInput(relay, m));
}

async function asInput(relay: Relay, m: StoreMessage): Promise<AcceptInput> {
  const to = relay.aliasAddress(m.pairToken);
  const raw = await composeAuthored({
    from: { name: '', address: m.sender.email },
    to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    attachments: m.attachments,
    inReplyTo: m.inReplyTo,
    domain: relay.primaryDomain,
  });
  return {
    raw,
    envelopeFrom: m.sender.email,
    recipients: [to],
    source: m.source,
    proof: { kind: 'login' },
    submitter: { permittedSenderId: m.sender.id, storeId: m.sender.storeId },
    log: m.log,
    campaign: m.campaign,
    staffUserId: m.staffUserId,
  };
}
