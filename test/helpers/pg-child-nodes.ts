// Owns the child gateways a test runs on one PostgreSQL database (`npm start` with
// MASKGATE_DATABASE_URL, test/helpers/child-gateway.ts), each on a data directory of its own:
// SIGKILLed if still running, and their directories removed, after the calling file's tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll } from 'vitest';
import { startChildGateway, type ChildGateway } from './child-gateway.js';
import { newToken } from '../../src/store/pairs.js';

export interface PgChildNodes {
  /** Starts one more node on the database at `url`, delivering through `smarthost` (an smtp:// URL). */
  start(url: string, smarthost: string): Promise<ChildGateway>;
}

/**
 * Nodes started with `token` as their API token and `config` merged into their config file, their
 * data directories named `<dirPrefix>…` under the system's temporary directory. Call it at a test
 * file's top level (it registers an afterAll).
 */
export function pgChildNodes(o: { readonly dirPrefix: string; readonly token: string; readonly config: Record<string, unknown> }): PgChildNodes {
  const children: ChildGateway[] = [];
  const dirs: string[] = [];
  afterAll(() => {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return {
    start(url, smarthost) {
      const dataDir = mkdtempSync(join(tmpdir(), o.dirPrefix));
      dirs.push(dataDir);
      return startChildGateway({
        env: {
          MASKGATE_DATABASE_URL: url,
          MASKGATE_DATA_DIR: dataDir,
          MASKGATE_SMTP_PORT: '0',
          MASKGATE_HTTP_PORT: '0',
          MASKGATE_SMARTHOST: smarthost,
          MASKGATE_LOG_LEVEL: 'info',
        },
        token: o.token,
        config: o.config,
        timeoutMs: 120_000,
      }).then((c) => (children.push(c), c));
    },
  };
}

/**
 * The store these tests write as (`shop`, mailbox seller@shop.example, its permitted sender
 * enabled), inserted at `now` (ms) through `pool`; its id.
 */
export async function insertShop(pool: pg.Pool, now: number): Promise<number> {
  const store = (
    await pool.query<{ id: number }>("INSERT INTO stores (slug, name, mailbox, created_at) VALUES ('shop', 'Shop', 'seller@shop.example', $1) RETURNING id", [
      now,
    ])
  ).rows[0]!.id;
  await pool.query("INSERT INTO permitted_senders (store_id, email, status, created_at, updated_at) VALUES ($1, 'seller@shop.example', 'enabled', $2, $2)", [
    store,
    now,
  ]);
  return store;
}

/** Buyer `b<i>@buyer.example` ("Buyer <i>") and their pair with the shop under a new token: the pair's id and token. */
export async function insertBuyerPair(pool: pg.Pool, store: number, i: number, now: number): Promise<{ pair: number; token: string }> {
  const buyer = (
    await pool.query<{ id: number }>("INSERT INTO buyers (email, name, kind, created_at) VALUES ($1, $2, 'customer', $3) RETURNING id", [
      `b${i}@buyer.example`,
      `Buyer ${i}`,
      now,
    ])
  ).rows[0]!.id;
  const token = newToken();
  const pair = (
    await pool.query<{ id: number }>('INSERT INTO pairs (store_id, buyer_id, token, created_at) VALUES ($1, $2, $3, $4) RETURNING id', [
      store,
      buyer,
      token,
      now,
    ])
  ).rows[0]!.id;
  return { pair, token };
}
