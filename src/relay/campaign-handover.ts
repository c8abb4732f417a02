// Owns what a campaign adds to a message on its way through the pipeline: the List-Unsubscribe
// headers and the visible unsubscribe footer (ours, so added after the content filters ran), and
// the ledger update that runs inside the commit storing the message; and mail to the mailto:
// unsubscribe address, which the pipeline hands to the campaign module.
import type { CampaignRecipientFacts } from '../core/messaging-rules.js';
import type { OutgoingMail } from '../core/types.js';

export interface CampaignHandover {
  /** Who the recipient is for the campaign rules (unsubscribed, bounced, recently mailed), decided in the pipeline. */
  readonly recipient: CampaignRecipientFacts;
  /** The ledger row: the stored message names it, and its delivery is at most once. */
  readonly recipientId: number;
  /** e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058), signed by DKIM with the rest. */
  readonly headers: readonly (readonly [string, string])[];
  /** The visible unsubscribe footer: ours, so it is added after the content filters ran. */
  readonly footer: { readonly text: string; readonly html: string };
  /**
   * The node holding the ledger row's claim: the transaction that stores the message and queues it
   * marks the row sent only while this node still holds it (else nothing is stored: LedgerClaimLost).
   * null: a preview, which stores nothing.
   */
  readonly leaseOwner: string | null;
}

/** The rewritten message with the campaign's headers and footer. */
export function withCampaignParts(m: OutgoingMail, c: CampaignHandover): OutgoingMail {
  const html = m.html === null ? null : /<\/body>/i.test(m.html) ? m.html.replace(/<\/body>/i, `${c.footer.html}</body>`) : m.html + c.footer.html;
  return { ...m, headers: [...m.headers, ...c.headers], text: m.text === null ? null : m.text + c.footer.text, html };
}

/** Mail to a campaign's mailto: unsubscribe address, with a token we signed. */
export interface ResolvedUnsubscribe {
  readonly unsubscribe: true;
  readonly address: string;
  readonly token: string;
}

/** Verifies and applies mailto: unsubscribes (the campaign module plugs in here). */
export interface UnsubscribeHandler {
  verify(token: string): boolean;
  /** Resolves once the unsubscribe is stored. */
  handle(token: string): Promise<void>;
}
