// The webhook sender alone, on a real database and a real receiver: it gives an event up after
// `retryFor` and goes on with the next, and two nodes never work one endpoint at once (the lease).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebhookSender } from '../../src/outbound/webhook-sender.js';
import { openDb, type Db } from '../../src/store/db.js';
import { EventRepo } from '../../src/store/events.js';
import { WebhookRepo } from '../../src/store/webhooks.js';
import { sqliteStorage } from '../../src/store/sqlite/storage.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';

let dir: string;
let db: Db;
let rx: Receiver;
const log = pino({ level: 'silent' });

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'maskgate-webhooks-'));
  db = openDb(dir);
  rx = await startReceiver();
});
afterEach(async () => {
  await rx.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('webhook sender', () => {
  it('gives an event up once it is older than retryFor, counts it as dropped, and delivers the next one', async () => {
    const hooks = new WebhookRepo(db);
    const { row, secret } = hooks.create(rx.url, ['buyer.unsubscribed']);
    rx.secret = secret;
    const events = new EventRepo(db);
    const first = events.append('buyer.unsubscribed', 1, { alias: 'a' });
    rx.answer = () => 503;
    const sender = new WebhookSender(
      sqliteStorage(db, { sessionTtlMs: 0 }).webhooks,
      { pollIntervalMs: 20, retrySchedule: [0.05], retryFor: 1, timeoutMs: 5000 },
      log,
    );
    sender.start();
    try {
      // Refused until it is a second old: then given up.
      for (let i = 0; i < 600 && hooks.get(row.id)?.dropped !== 1; i++) await new Promise((r) => setTimeout(r, 25));
      expect(hooks.get(row.id)?.dropped).toBe(1);
      rx.answer = () => 200;
      const second = events.append('buyer.unsubscribed', 1, { alias: 'b' });
      await rx.waitFor((r) => r.some((x) => x.eventId === second && x.answered === 200));
    } finally {
      await sender.stop();
    }
    const attempts = rx.received.filter((x) => x.eventId === first);
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(attempts.every((x) => x.answered === 503 && x.verified)).toBe(true);
    expect(hooks.get(row.id)).toMatchObject({ dropped: 1, delivered: 1, attempts: 0 });
  });

  it('skips event types the endpoint did not ask for', async () => {
    const hooks = new WebhookRepo(db);
    const { secret } = hooks.create(rx.url, ['campaign.finished']);
    rx.secret = secret;
    const events = new EventRepo(db);
    events.append('buyer.unsubscribed', 1, { alias: 'a' });
    const wanted = events.append('campaign.finished', 1, { campaignId: 1 });
    const sender = new WebhookSender(
      sqliteStorage(db, { sessionTtlMs: 0 }).webhooks,
      { pollIntervalMs: 20, retrySchedule: [0.05], retryFor: 60, timeoutMs: 1000 },
      log,
    );
    sender.start();
    try {
      await rx.waitFor((r) => r.length > 0);
    } finally {
      await sender.stop();
    }
    expect(rx.received.map((x) => x.eventId)).toEqual([wanted]);
  });

  it('lets one owner at a time hold an endpoint, and an owner that lost its lease cannot move the cursor', () => {
    const hooks = new WebhookRepo(db);
    const { row } = hooks.create(rx.url, ['message.sent']);
    const id = new EventRepo(db).append('message.sent', 1, {});
    const t = 1_000_000;
    expect(hooks.due(t)).toEqual([row.id]);
    expect(hooks.lease(row.id, 'node-a', 1000, t)).not.toBeNull();
    expect(hooks.lease(row.id, 'node-b', 1000, t + 500)).toBeNull();
    expect(hooks.due(t + 500)).toEqual([]);
    // node-a stalls past its lease; node-b takes over.
    expect(hooks.lease(row.id, 'node-b', 1000, t + 1500)).not.toBeNull();
    expect(hooks.advance(row.id, 'node-a', id, 200, 'delivered', null, t + 1600)).toBe(false);
    expect(hooks.advance(row.id, 'node-b', id, 200, 'delivered', null, t + 1600)).toBe(true);
    expect(hooks.get(row.id)?.cursor).toBe(id);
    // Nothing after the cursor: an idle endpoint is not due (a poll writes nothing).
    hooks.release(row.id, 'node-b');
    expect(hooks.due(t + 5000)).toEqual([]);
  });
});
