// Stage 5 of 6, commit: the rewritten messages and everything that belongs with them land in one
// transaction through the one way into the outbox (relay/outbox-entry.ts, which signs them first
// and wakes the delivery worker after): per conversation message its messages row (the original
// bytes, findings, changes), its message.received event, its outbox row and a campaign's ledger
// row; per message for the owner its outbox row from the null sender. Only then is the sender
// answered 250. A campaign message joins a larger, cheaper batched commit (no client waits on it).
import { isAutoSubmitted } from '../../core/auto-reply.js';
import type { Letter, OutboxEntry } from '../outbox-entry.js';
import { carriesFiles } from '../compose.js';
import { textStart } from '../work.js';
import type { Rewritten } from './rewrite.js';

/**
 * How much of a message's delivered text the inbox search indexes: its first 20 000 characters
 * (with the subject and the buyer's name), which the stored snippet is cut from too. Indexing the
 * whole of a 1 MiB text cost the SMTP thread 7-9 ms a message inside the commit (FTS5's tokenizer);
 * 20 000 characters cost less than bench/commit-times.ts can tell from none. A word written past
 * the bound is not found (README, "Inbox"; test/integration/search-bound.test.ts).
 */
export const SEARCH_CHARS = 20_000;

export interface Committed {
  readonly rewritten: Rewritten;
  /** The messages rows, one per conversation message, in order. */
  readonly messageIds: readonly number[];
  /** The outbox rows: conversation messages first, then mail for the owner. */
  readonly outboxIds: readonly number[];
}

export interface CommitDeps {
  readonly outbox: OutboxEntry;
}

/** Stores and queues; rejects when the transaction fails (then nothing is stored or queued). */
export async function commit(rewritten: Rewritten, deps: CommitDeps): Promise<Committed> {
  const { input, mail } = rewritten.decided.identified.received;
  const now = Date.now();
  const autoSubmitted = isAutoSubmitted(mail.headers);
  const letters: Letter[] = [];
  for (const m of rewritten.mails) {
    if (m.kind === 'owner') continue;
    const { identity, findings, critical, criticalToOptedOut, suspicious } = m.ruled;
    // The stored copy staff see: the subject and text as delivered (masked).
    const flat = textStart(m.message, SEARCH_CHARS).replace(/\s+/g, ' ').trim();
    letters.push({
      mail: m.bytes,
      signed: m.signed,
      sharedBody: m.sharedBody,
      files: carriesFiles(m.message),
      kind: 'relay',
      envFrom: m.envelope.from,
      envTo: m.envelope.to,
      atMostOnce: input.campaign !== undefined,
      // Its messages row and message.received event are written with the outbox row (outbox-entry.ts).
      message: {
        pairId: m.pairId,
        storeId: identity.store.id,
        critical,
        criticalToOptedOut,
        suspicious,
        snippet: flat.slice(0, 200),
        searchText: flat,
        category: m.category,
        buyerName: m.buyerName,
        autoSubmitted,
        direction: identity.direction,
        source: input.source,
        authorEmail: identity.senderEmail,
        permittedSenderId: identity.direction === 'store_to_buyer' ? identity.sender.id : null,
        subject: m.message.subject,
        originalMessageId: mail.messageId,
        relayMessageId: m.relayId,
        verdict: 'accept',
        findings,
        changes: m.changes,
        raw: input.raw,
        receivedAt: now,
        campaignRecipientId: input.campaign?.recipientId ?? null,
        staffUserId: input.staffUserId,
      },
      // A campaign's ledger row, marked sent in the same transaction while this node holds its claim.
      ledgerRow: input.campaign?.leaseOwner != null ? { id: input.campaign.recipientId, owner: input.campaign.leaseOwner } : undefined,
    });
  }
  for (const m of rewritten.mails) {
    if (m.kind === 'owner') letters.push({ mail: m.message, kind: 'notice', envFrom: m.envelope.from, envTo: m.envelope.to });
  }
  const { messageIds, outboxIds } = await deps.outbox.post(letters, { batched: input.campaign !== undefined, now });
  return { rewritten, messageIds, outboxIds };
}
