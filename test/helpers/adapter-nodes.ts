// A SQLite gateway (startGateway) or a PostgreSQL node (startPgGateway, on a fresh database of the
// run's throwaway cluster), in this process, with its own sink: for tests that run the same cases
// through the API on both storage adapters. `exec` runs SQL with `?` placeholders on its database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { startGateway } from '../../src/gateway.js';
import { startPgGateway } from '../../src/gateway-pg.js';
import { LOCAL_SPF } from './gateway.js';
import { freshDatabase } from './postgres.js';
import { startSink, type Sink } from './sink.js';

export const TOKEN = 'adapter-nodes-token-0123456789abcdef';

export interface Node {
  readonly smtpPort: number;
  readonly httpPort: number;
  readonly sink: Sink;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** SQL with `?` placeholders on the node's database. */
  exec(sql: string, args?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/**
 * A node's config for a test: listeners on port 0 of 127.0.0.1, one SMTP worker thread, delivery to
 * `sink`, SQLite in `dataDir` or PostgreSQL at `url`, a silent log; `extra` adds or replaces sections.
 */
export function nodeConfig(dataDir: string, sink: Sink, url: string | null, extra: Record<string, unknown>) {
  return loadConfig({
    env: {},
    overrides: {
      dataDir,
      smtp: { port: 0, host: '127.0.0.1', workerThreads: 1 },
      http: { port: 0, host: '127.0.0.1' },
      outbound: { smarthost: sink.url, pollIntervalMs: 50 },
      database: { url },
      log: { level: 'silent' },
      ...extra,
    },
  });
}

function config(dataDir: string, sink: Sink, url: string | null) {
  return nodeConfig(dataDir, sink, url, {
    api: { token: TOKEN },
    campaigns: { ratePerSecond: 1000, pollIntervalMs: 20, repeatDays: 7, lateAfterHours: 6, maxQueued: 2000 },
  });
}

function api(port: number): Node['api'] {
  return async (method, path, body) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      return { status: res.status, body: text };
    }
  };
}

/** `exec` on a SQLite database: SQL with `?` placeholders; the rows of a query, [] for a statement. */
export function sqliteExec(db: Database.Database): Node['exec'] {
  return async (sql, args = []) => {
    const s = db.prepare(sql);
    return s.reader ? (s.all(...args) as Record<string, unknown>[]) : (s.run(...args), []);
  };
}

/** `exec` on a PostgreSQL pool: the `?` placeholders numbered as $1, $2, …; the rows. */
export function pgExec(pool: pg.Pool): Node['exec'] {
  return async (sql, args = []) => {
    let n = 0;
    return (
      await pool.query(
        sql.replace(/\?/g, () => `$${++n}`),
        args,
      )
    ).rows as Record<string, unknown>[];
  };
}

/** The pool of a PostgreSQL node's storage (startPgGateway). */
export const poolOf = (storage: unknown): pg.Pool => (storage as { pool: pg.Pool }).pool;

/** `close` for a node: the gateway stopped, its sink closed, its data directory removed. */
export function closer(gw: { stop(): Promise<void> }, sink: Sink, dataDir: string): () => Promise<void> {
  return async () => {
    await gw.stop();
    await sink.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

export async function sqliteNode(): Promise<Node> {
  const dataDir = mkdtempSync(join(tmpdir(), 'maskgate-adapter-node-'));
  const sink = await startSink();
  const gw = await startGateway(config(dataDir, sink, null), pino({ level: 'silent' }), { resolver: LOCAL_SPF });
  return {
    smtpPort: gw.smtpPort,
    httpPort: gw.httpPort,
    sink,
    api: api(gw.httpPort),
    exec: sqliteExec(gw.db),
    close: closer(gw, sink, dataDir),
  };
}

export async function pgNode(): Promise<Node> {
  const dataDir = mkdtempSync(join(tmpdir(), 'maskgate-adapter-node-'));
  const sink = await startSink();
  const gw = await startPgGateway(config(dataDir, sink, await freshDatabase()), pino({ level: 'silent' }), { resolver: LOCAL_SPF });
  const pool = poolOf(gw.storage);
  return {
    smtpPort: gw.smtpPort,
    httpPort: gw.httpPort,
    sink,
    api: api(gw.httpPort),
    exec: pgExec(pool),
    close: closer(gw, sink, dataDir),
  };
}

export const NODES: [string, () => Promise<Node>][] = [
  ['SQLite', sqliteNode],
  ['PostgreSQL', pgNode],
];
