// Owns delivering the events feed to webhook endpoints: one event per signed POST, in id order per
// endpoint, retried with backoff for `retryFor` (a day) and then given up (it stays in the feed).
// It runs apart from mail: it only reads events and writes its own endpoint rows, so a slow or dead
// receiver never holds up a message. Each endpoint is worked under a lease (WebhookStore.lease), so
// with several nodes on one database every node runs a sender, one delivers to an endpoint while
// the others skip it, and a dead node's endpoints are taken over when their lease runs out.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { MarketEvent } from '../core/event-types.js';
import type { WebhookStore, WebhookTarget } from '../store/webhook-ports.js';
import { SIGNATURE_HEADER, signWebhook } from './webhook-signature.js';
import { guardedLookup, webhookHostProblem } from './webhook-target.js';

export interface WebhookSenderOptions {
  readonly pollIntervalMs: number;
  /** Seconds to wait after the 1st, 2nd, … failed attempt at one event; the last repeats. */
  readonly retrySchedule: readonly number[];
  /** Seconds after an event was written when it is given up for that endpoint. */
  readonly retryFor: number;
  readonly timeoutMs: number;
  /** How long one node may hold an endpoint without renewing (each delivery renews it). */
  readonly leaseMs?: number;
}

/** Events one endpoint gets in one pass before others have a turn. */
const PER_PASS = 100;

export class WebhookSender {
  readonly #repo: WebhookStore;
  readonly #o: WebhookSenderOptions;
  readonly #log: Logger;
  readonly #owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly #busy = new Map<number, Promise<void>>();
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #polling = false;

  constructor(store: WebhookStore, options: WebhookSenderOptions, log: Logger) {
    this.#repo = store;
    this.#o = options;
    this.#log = log;
  }

  start(): void {
    this.#running = true;
    this.#timer = setInterval(() => this.tick(), this.#o.pollIntervalMs);
    this.#timer.unref();
    this.tick();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await Promise.allSettled([...this.#busy.values()]);
  }

  /** Looks for endpoints with work now (also called by the poll timer); one look at a time. */
  tick(): void {
    if (!this.#running || this.#polling) return;
    this.#polling = true;
    void this.#repo
      .due(Date.now())
      .then(
        (due) => this.#startDue(due),
        (err: Error) => this.#log.error({ event: 'webhook.error', err: err.message }, 'could not read the webhook endpoints'),
      )
      .finally(() => {
        this.#polling = false;
      });
  }

  #startDue(due: readonly number[]): void {
    if (!this.#running) return;
    for (const id of due) {
      if (this.#busy.has(id)) continue;
      const p = this.#drain(id)
        .catch((err: Error) => this.#log.error({ event: 'webhook.error', webhookId: id, err: err.message }, 'webhook pass failed'))
        .finally(() => this.#busy.delete(id));
      this.#busy.set(id, p);
    }
  }

  async #drain(id: number): Promise<void> {
    const leaseMs = this.#o.leaseMs ?? Math.max(60_000, this.#o.timeoutMs * 3);
    let ep = await this.#repo.lease(id, this.#owner, leaseMs);
    if (!ep) return;
    try {
      for (let n = 0; n < PER_PASS && this.#running && ep; n++) {
        const [event] = await this.#repo.eventsAfter(ep.cursor, 1, ep.events);
        if (!event) return;
        const outcome = await this.#post(ep, event);
        const now = Date.now();
        if (outcome.ok) {
          if (!(await this.#repo.advance(id, this.#owner, event.id, outcome.status, 'delivered', null, now))) return;
          this.#log.debug({ event: 'webhook.delivered', webhookId: id, eventId: event.id, status: outcome.status }, 'webhook delivered');
        } else {
          const attempts = ep.attempts + 1;
          const giveUpAt = Date.parse(event.createdAt) + this.#o.retryFor * 1000;
          if (now >= giveUpAt) {
            if (!(await this.#repo.advance(id, this.#owner, event.id, outcome.status, 'dropped', outcome.error, now))) return;
            this.#log.warn({ event: 'webhook.dropped', webhookId: id, eventId: event.id, attempts, error: outcome.error }, 'webhook event given up');
          } else {
            const schedule = this.#o.retrySchedule;
            const wait = (schedule[Math.min(attempts, schedule.length) - 1] ?? 60) * 1000;
            const at = Math.min(now + wait, giveUpAt);
            await this.#repo.retryLater(id, this.#owner, attempts, at, outcome.status, outcome.error, now);
            this.#log.info(
              {
                event: 'webhook.retry',
                webhookId: id,
                eventId: event.id,
                attempts,
                status: outcome.status,
                error: outcome.error,
                nextAttemptAt: new Date(at).toISOString(),
              },
              'webhook delivery failed; will retry',
            );
            return;
          }
        }
        ep = await this.#repo.lease(id, this.#owner, leaseMs);
      }
    } finally {
      await this.#repo.release(id, this.#owner);
    }
  }

  async #post(ep: WebhookTarget, event: MarketEvent): Promise<{ ok: true; status: number } | { ok: false; status: number | null; error: string }> {
    const body = JSON.stringify(event);
    const url = new URL(ep.url);
    // An address a webhook may never go to (webhook-target.ts): as written here, via DNS in guardedLookup.
    const literal = webhookHostProblem(url);
    if (literal) return { ok: false, status: null, error: `EADDRNOTALLOWED: ${literal}`.slice(0, 200) };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = send(
        url,
        {
          method: 'POST',
          lookup: guardedLookup,
          signal: AbortSignal.timeout(this.#o.timeoutMs),
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'maskgate-webhooks/1',
            [SIGNATURE_HEADER]: signWebhook(ep.secret, body),
            'maskgate-event-id': String(event.id),
            'maskgate-event-type': event.type,
          },
        },
        (res) => {
          // The answer's status is all we need; its body is dropped (redirects are not followed).
          res.resume();
          const status = res.statusCode ?? 0;
          resolve(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `HTTP ${status}` });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        const timedOut = err.name === 'AbortError';
        resolve({
          ok: false,
          status: null,
          error: (timedOut ? `no answer within ${this.#o.timeoutMs} ms` : err.code ? `${err.code}: ${err.message}` : err.message).slice(0, 200),
        });
      });
      req.end(body);
    });
  }
}
