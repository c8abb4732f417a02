// The storage port of webhooks (re-exported by src/store/ports.ts): the endpoints a marketplace
// registers, each endpoint's delivery state (its cursor in the events feed, failed attempts, the
// lease that lets one node at a time deliver to it), and the events feed they are sent from (also
// served as /api/v1/events). Both adapters implement it (src/store/sqlite/webhooks.ts,
// src/store/pg/webhooks.ts); the contract cases are in test/integration/webhooks-contract.test.ts.
//
// Several nodes, one database: each endpoint is delivered to by the node holding its lease, one
// event at a time in id order, and the cursor only moves for that holder; so each event reaches an
// endpoint once (again only when a holder died between the POST and moving the cursor, or its
// POST outlasted the lease). The feed only hands out events no still-open transaction can precede:
// on PostgreSQL ids are taken before commit, so without that a reader could pass an id that
// commits a moment later, and that event would never be sent.
//
// Times are integer milliseconds since the epoch (UTC). Event ids only grow.
import type { EventType, MarketEvent } from '../core/event-types.js';
import type { WebhookRow, WebhookTarget } from './webhooks.js';

export type { MarketEvent, WebhookRow, WebhookTarget };

export interface WebhookStore {
  /** A new endpoint with a new signing secret; it hears events from now on (its cursor starts at the newest event). */
  create(url: string, events: readonly EventType[], now?: number): Promise<{ row: WebhookRow; secret: string }>;
  /** Every endpoint, by id, without secrets. */
  list(): Promise<WebhookRow[]>;
  get(id: number): Promise<WebhookRow | null>;
  /** False when there is no such endpoint. */
  delete(id: number): Promise<boolean>;
  /**
   * Endpoints with an event of their types after their cursor, whose next attempt is due and whose
   * lease is free or ran out, by id. Read-only: an idle poll writes nothing.
   */
  due(now: number): Promise<number[]>;
  /** Takes (or renews) the endpoint for `owner` until now + leaseMs: the endpoint with its secret; null while another owner holds it. */
  lease(id: number, owner: string, leaseMs: number, now?: number): Promise<WebhookTarget | null>;
  /** Gives the endpoint back (only `owner`'s lease). */
  release(id: number, owner: string): Promise<void>;
  /**
   * The event after the cursor was delivered (or given up on: `dropped`): moves the cursor to
   * `eventId` and clears the failures, only while `owner` holds the lease; false when it lost it.
   */
  advance(
    id: number,
    owner: string,
    eventId: number,
    status: number | null,
    outcome: 'delivered' | 'dropped',
    error: string | null,
    now?: number,
  ): Promise<boolean>;
  /** A failed attempt (only `owner`'s): the same event again at `nextAttemptAt`; `error` is cut to 500 characters. */
  retryLater(id: number, owner: string, attempts: number, nextAttemptAt: number, status: number | null, error: string, now?: number): Promise<void>;
  /** Events after `afterId`, oldest first, at most `limit`; only `types` when given. */
  eventsAfter(afterId: number, limit: number, types?: readonly EventType[]): Promise<MarketEvent[]>;
}
