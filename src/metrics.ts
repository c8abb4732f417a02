// Owns the Prometheus metrics (prom-client): messages accepted and refused by verdict, the queue's
// depth and oldest age, delivery outcomes and latency, bounces. Served at /metrics with the API
// token. One registry per gateway, so tests running several gateways never share counters.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface QueueStats {
  readonly depth: number;
  readonly oldestAgeSeconds: number;
}

export class Metrics {
  readonly registry = new Registry();
  readonly accepted: Counter<'source'>;
  readonly refused: Counter<'verdict' | 'stage'>;
  readonly deliveries: Counter<'kind' | 'status'>;
  readonly deliverySeconds: Histogram<'kind'>;
  readonly bounces: Counter<'outcome'>;
  readonly campaignMessages: Counter<'outcome'>;

  constructor(queue: () => QueueStats) {
    const registers = [this.registry];
    this.accepted = new Counter({
      name: 'maskgate_messages_accepted_total',
      help: 'Messages committed and answered 250 (or 201).',
      labelNames: ['source'],
      registers,
    });
    this.refused = new Counter({
      name: 'maskgate_messages_refused_total',
      help: 'Refusals by verdict code and SMTP stage.',
      labelNames: ['verdict', 'stage'],
      registers,
    });
    this.deliveries = new Counter({ name: 'maskgate_deliveries_total', help: 'Delivery attempts by outcome.', labelNames: ['kind', 'status'], registers });
    this.deliverySeconds = new Histogram({
      name: 'maskgate_delivery_seconds',
      help: 'Time from acceptance to delivery (or capture).',
      labelNames: ['kind'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 21600, 86400],
      registers,
    });
    this.bounces = new Counter({
      name: 'maskgate_bounces_total',
      help: 'Asynchronous bounces received, by what they did.',
      labelNames: ['outcome'],
      registers,
    });
    this.campaignMessages = new Counter({
      name: 'maskgate_campaign_messages_total',
      help: 'Campaign ledger rows by outcome: sent (handed to the outbox), skipped, failed.',
      labelNames: ['outcome'],
      registers,
    });
    new Gauge({
      name: 'maskgate_queue_depth',
      help: 'Outbox rows waiting for delivery (queued or deferred).',
      registers,
      collect() {
        this.set(queue().depth);
      },
    });
    new Gauge({
      name: 'maskgate_queue_oldest_age_seconds',
      help: 'Age of the oldest row waiting for delivery (0 when none).',
      registers,
      collect() {
        this.set(queue().oldestAgeSeconds);
      },
    });
  }
}
