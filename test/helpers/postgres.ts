// One cluster per test run, started by the first test file that asks for one (so a run without
// PostgreSQL tests never pays for initdb) and stopped by the global teardown (pg-global.ts). The
// run's state directory comes from the global setup; a mkdir lock elects the file that starts it.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { startPgCluster, type ClusterRecord } from './pg-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgState: string;
  }
}

async function sharedCluster(): Promise<string> {
  const state = inject('pgState');
  const file = join(state, 'cluster.json');
  try {
    mkdirSync(join(state, 'lock'));
  } catch {
    // Another test file is starting it: wait for its record (initdb takes tens of seconds under load).
    for (let i = 0; i < 1200; i++) {
      if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as ClusterRecord).url;
      if (existsSync(join(state, 'failed'))) throw new Error(readFileSync(join(state, 'failed'), 'utf8'));
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('timed out waiting for the shared PostgreSQL cluster');
  }
  try {
    const c = await startPgCluster();
    // Renamed into place: a waiting file sees no record, or all of it (written in place, it could
    // read an empty or half-written file between its existsSync and its read).
    writeFileSync(`${file}.tmp`, JSON.stringify(c.record));
    renameSync(`${file}.tmp`, file);
    return c.url;
  } catch (err) {
    writeFileSync(join(state, 'failed'), String((err as Error).message));
    throw err;
  }
}

/** A new, empty database on the run's cluster (one per test file); returns its postgres:// URL. */
export async function freshDatabase(): Promise<string> {
  const url = await sharedCluster();
  const name = `t_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client(url);
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  return url.replace(/\/postgres$/, `/${name}`);
}
