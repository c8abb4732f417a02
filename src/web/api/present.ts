import type { CredentialRow } from '../../store/credentials.js';
// Owns how rows become API JSON: ISO times, money as decimal numbers, aliases as addresses.
import { aliasAddress } from '../../core/alias-token.js';
import type { MessageSummary } from '../../store/messages.js';
import type { OrderRow } from '../../store/orders.js';
import type { OutboxRow } from '../../store/outbox.js';
import type { PairView } from '../../store/pairs.js';
import type { PermittedSenderRow, StoreRow } from '../../store/stores.js';

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
export const toMinor = (amount: number): number => Math.round(amount * 100);
export const fromMinor = (minor: number): number => minor / 100;

export function presentStore(s: StoreRow, domain: string) {
  return { id: s.id, slug: s.slug, name: s.name, mailbox: s.mailbox, address: `${s.slug}@${domain}`, createdAt: iso(s.createdAt) };
}

export function presentSender(p: PermittedSenderRow) {
  return { id: p.id, storeId: p.storeId, email: p.email, status: p.status, createdAt: iso(p.createdAt), updatedAt: iso(p.updatedAt) };
}

export function presentCredential(c: CredentialRow) {
  return {
    id: c.id,
    permittedSenderId: c.permittedSenderId,
    label: c.label,
    createdAt: iso(c.createdAt),
    lastUsedAt: iso(c.lastUsedAt),
    revokedAt: iso(c.revokedAt),
    active: c.revokedAt === null,
  };
}

export function presentOrder(o: OrderRow) {
  return {
    id: o.id,
    storeId: o.storeId,
    number: o.number,
    status: o.status,
    currency: o.currency,
    total: fromMinor(o.totalMinor),
    placedAt: iso(o.placedAt),
    completedAt: iso(o.completedAt),
    items: o.items.map((i) => ({
      sku: i.sku,
      name: i.name,
      category: i.category,
      manufacturer: i.manufacturer,
      unitPrice: fromMinor(i.unitPriceMinor),
      quantity: i.quantity,
    })),
  };
}

export function presentPair(v: PairView, orders: readonly OrderRow[], domain: string) {
  return {
    id: v.pair.id,
    alias: v.pair.token,
    address: aliasAddress(v.pair.token, domain),
    optedOut: v.pair.optedOut,
    createdAt: iso(v.pair.createdAt),
    store: { id: v.store.id, slug: v.store.slug, name: v.store.name },
    // The real address is for API callers (the marketplace) only; it never reaches the seller's mail.
    buyer: {
      id: v.buyer.id,
      name: v.buyer.name,
      email: v.buyer.email,
      kind: v.buyer.kind,
      undeliverableSince: iso(v.buyer.undeliverableAt),
      // Why (the refusal or bounce status text, scrubbed: the alias in place of the address); null when not marked.
      undeliverableReason: v.buyer.undeliverableReason,
    },
    orders: orders.map(presentOrder),
  };
}

export function presentMessage(m: MessageSummary) {
  return {
    id: m.id,
    alias: m.alias,
    storeId: m.storeId,
    direction: m.direction,
    source: m.source,
    subject: m.subject,
    status: m.status,
    verdict: m.verdict,
    suspicious: m.suspicious,
    findings: m.findings,
    changes: m.changes,
    size: m.size,
    receivedAt: iso(m.receivedAt),
    relayMessageId: m.relayMessageId,
    outboxIds: m.outboxIds,
  };
}

export function presentOutbox(o: OutboxRow) {
  return {
    id: o.id,
    messageId: o.messageId,
    kind: o.kind,
    status: o.status,
    attempts: o.attempts,
    lastError: o.lastError,
    nextAttemptAt: o.status === 'queued' || o.status === 'deferred' ? iso(o.nextAttemptAt) : null,
    envelopeFrom: o.envFrom,
    envelopeTo: o.envTo,
    size: o.size,
    createdAt: iso(o.createdAt),
    updatedAt: iso(o.updatedAt),
    doneAt: iso(o.doneAt),
  };
}
