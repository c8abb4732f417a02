// Owns "a buyer or visitor writes from the marketplace's website": the message is composed as MIME
// from the buyer's (or visitor's) own address, exactly as their mail client would send it, and
// handed to the one pipeline — same identification, rules, filters, masking, threading, commit and
// delivery to the store's mailbox as mail to the alias. The proof is the website's: the API token
// vouches that the site knows who is writing (a new Proof kind, 'website').
import type { Logger } from 'pino';
import type { Refusal } from '../core/verdicts.js';
import { composeAuthored } from './authored.js';
import type { Accepted, Relay } from './pipeline.js';

export interface WebsiteMessage {
  /** The writer's real address and name: the pair's buyer, or a visitor known to the website. */
  readonly writer: { readonly email: string; readonly name: string };
  /** The pair alias (a buyer) or the store's contact address (a visitor), on the relay domain. */
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string | undefined;
  readonly attachments?: readonly { readonly filename: string; readonly content: Buffer; readonly contentType?: string | undefined }[];
  /** Relay Message-ID of the store message answered (the id the buyer received), if any. */
  readonly inReplyTo?: string | null | undefined;
  readonly log: Logger;
}

export async function writeAsBuyer(relay: Relay, m: WebsiteMessage): Promise<Accepted | Refusal> {
  const raw = await composeAuthored({
    from: { name: m.writer.name, address: m.writer.email },
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    attachments: m.attachments,
    inReplyTo: m.inReplyTo,
    domain: relay.primaryDomain,
  });
  return relay.accept({
    raw,
    envelopeFrom: m.writer.email,
    recipients: [m.to],
    source: 'website',
    proof: { kind: 'website' },
    log: m.log,
  });
}
