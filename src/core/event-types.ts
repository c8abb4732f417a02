// Owns the catalogue of events the marketplace hears about (the feed and webhooks): each type and
// the one sentence saying when it happens. docs/webhooks.md lists the same types with their JSON,
// and a test keeps the two in step.

export const EVENT_TYPES = {
  'message.received': 'A message was accepted and stored (either direction, from mail, the admin, the API or the website); its delivery is queued.',
  'message.sent': "A message was delivered to the recipient's mail server (or captured, when no smarthost is configured).",
  'message.refused': 'A message was refused after it was written (a messaging rule, a filter, sender authentication); nothing was stored.',
  'delivery.failed': 'A delivery failed for good: a permanent error, retries ran out, or a bounce arrived after delivery.',
  'buyer.opted_out': 'A buyer opted out of (or back into) non-critical messages from a store.',
  'buyer.deliverable': "A buyer's address marked undeliverable (their mailbox gone) was cleared: by staff, or by a delivery the smarthost accepted.",
  'buyer.unsubscribed': "A buyer unsubscribed from a store's campaigns.",
  'campaign.finished': 'A campaign ended (every recipient sent, skipped or failed; or it was cancelled), with its totals.',
} as const;

export type EventType = keyof typeof EVENT_TYPES;

export const EVENT_TYPE_NAMES = Object.keys(EVENT_TYPES) as [EventType, ...EventType[]];

/** One event as the feed and the webhooks carry it. */
export interface MarketEvent {
  readonly id: number;
  readonly type: EventType;
  readonly createdAt: string;
  readonly storeId: number | null;
  readonly data: Readonly<Record<string, unknown>>;
}
