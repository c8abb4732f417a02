// /healthz and /readyz tell monitoring when maskgate can no longer acknowledge mail: after a failed
// WAL sync the group commit stops (every message gets 451 until a restart), and both say so.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../store/db.js';
import { createHttpApp } from './app.js';

let dir: string;
let db: Db;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'maskgate-health-'));
  db = openDb(dir);
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const appWith = (commitStopped: string | null) =>
  createHttpApp({
    db,
    domains: ['relay.localhost'],
    hostname: 'mx.test',
    trustedProxies: [],
    campaigns: {},
    publicUrl: () => '',
    submission: () => null,
    log: pino({ level: 'silent' }),
    health: () => ({ smtp: true, queueDepth: 0, commitStopped }),
  } as never);

describe('health when commits have stopped', () => {
  it('answers 200 while commits run', async () => {
    const app = appWith(null);
    expect((await app.request('/healthz')).status).toBe(200);
    expect(await (await app.request('/readyz')).json()).toEqual({ status: 'ready' });
  });

  it('answers 503 with the reason on /healthz and /readyz once a WAL sync failed', async () => {
    const reason = 'a WAL sync failed (EIO: i/o error, fdatasync); nothing is acknowledged until maskgate restarts';
    const app = appWith(reason);
    const health = await app.request('/healthz');
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'error', problem: reason });
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not ready', problems: [reason] });
  });
});
