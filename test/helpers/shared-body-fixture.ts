// The fixture of the contracts of a relay copy that shares its message's original body
// (shared-body-contract, body-pieces-contract): a buyer's message as the mail port inserts it, and
// that message stored with its relay copy, on a harness seeded with seedShopBuyers.
import type { NewMessage } from '../../src/store/mail-ports.js';
import { NOW, type ContractHarness } from './contract-harness.js';

/** Buyer 1's message to the shop (pair 1, store 1) with subject `tag`, whose original is `raw`. */
export function buyerMessage(tag: string, raw: Buffer): NewMessage {
  return {
    pairId: 1,
    storeId: 1,
    critical: false,
    criticalToOptedOut: false,
    suspicious: false,
    autoSubmitted: false,
    direction: 'buyer_to_store',
    source: 'smtp',
    authorEmail: 'b1@buyer.example',
    permittedSenderId: null,
    subject: tag,
    originalMessageId: null,
    relayMessageId: `<${tag}@relay.example>`,
    verdict: 'accept',
    findings: [],
    changes: [],
    raw,
    receivedAt: NOW,
  };
}

/**
 * buyerMessage(tag, raw) stored on node A with its relay copy to the shop in one transaction: the
 * copy's row keeps `head` (its signed header block) and shares the last `bodyLength` bytes of `raw`
 * (its body). Returns the ids.
 */
export async function storeSharingBody(
  h: ContractHarness,
  tag: string,
  raw: Buffer,
  head: Buffer,
  bodyLength: number,
): Promise<{ messageId: number; outboxId: number }> {
  return h.a.write(async (tx) => {
    const messageId = await tx.mail.insertMessage(buyerMessage(tag, raw));
    const from = raw.length - bodyLength;
    const outboxId = await tx.outbox.enqueue(
      { messageId, kind: 'relay', envFrom: 'tok1@relay.example', envTo: 'seller@shop.example', raw: head, originalBody: { from, length: raw.length - from } },
      NOW,
    );
    return { messageId, outboxId };
  });
}
