// One rewrite context for the tests and benches that run the pool's read and prepare on a buyer's
// message directly: Jane (jane@buyer.example) writes to the store Acme through tok@relay.test,
// her address hidden, links redacted. What a test depends on is passed in.
import type { RewriteContext } from '../../src/core/rewrite.js';

export interface BuyerContextOptions {
  /** Display names hidden besides the address (none by default). */
  readonly names?: readonly string[];
  readonly now?: Date;
  readonly maxAttachmentBytes?: number;
}

/** A buyer → store RewriteContext (see the module comment). */
export function buyerToStoreContext(o: BuyerContextOptions = {}): RewriteContext {
  return {
    direction: 'buyer_to_store',
    aliasAddress: 'tok@relay.test',
    store: { id: 1, slug: 'acme', name: 'Acme', mailbox: 'support@acme.example' },
    buyer: { name: 'Jane', email: 'jane@buyer.example' },
    hide: { addresses: ['jane@buyer.example'], names: [...(o.names ?? [])] },
    messageId: '<m@relay.test>',
    threading: { inReplyTo: null, references: [], dropped: 0 },
    now: o.now ?? new Date(),
    content: {
      linkAllowList: [],
      linkAction: 'redact',
      stripImages: false,
      maxAttachmentBytes: o.maxAttachmentBytes ?? 10_000_000,
      keepEmailDomains: ['relay.test'],
      bannedWords: [],
    },
  };
}
