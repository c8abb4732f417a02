// Lends the gateways a test file starts one warm relay work pool per thread count and DKIM key,
// instead of a pool of each gateway's own: a pool thread's start (tsx, the MIME, DKIM and masking
// code loaded and compiled) and its warm-up cost ~1–1.4 s of CPU and 2 s of wall time on a loaded
// 2-core machine, paid again by every gateway a file starts per test. A pool holds nothing of a
// gateway's between tasks: the DKIM key is the pool's own (hence one pool per key), and the
// resolver, the rewrite context and the kept messages go with each task. Pools close after the file.
import { afterAll } from 'vitest';
import type { WorkPoolSource } from '../../src/node-start.js';
import { WorkPool } from '../../src/relay/work-pool.js';

const pools = new Map<string, WorkPool>();

/** The file's pool for these threads and this key (started and warmed up on first use); a gateway's stop leaves it running. */
export const sharedWorkPool: WorkPoolSource = (threads, dkim) => {
  const key = JSON.stringify([threads, dkim?.domain, dkim?.selector, dkim?.privateKeyPem]);
  let pool = pools.get(key);
  if (!pool) {
    pool = new WorkPool(threads, dkim);
    void pool.warmUp();
    pools.set(key, pool);
  }
  return { pool, release: async () => undefined };
};

/** Closes every pool lent so far (after the file's last test: registered below). */
export async function closeSharedPools(): Promise<void> {
  const open = [...pools.values()];
  pools.clear();
  await Promise.all(open.map((pool) => pool.close()));
}

afterAll(closeSharedPools);
