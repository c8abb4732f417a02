// A SQLite gateway whose start fails before it binds (a TLS certificate file that is not there)
// closes again what it opened: the database (its WAL file goes away with the last connection), the
// checkpoint thread and the work pool's threads, and no timer is left behind, so an in-process
// caller (a test, a tool) neither leaks nor hangs, and the data directory is free for the next start.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startGateway } from '../../src/gateway.js';
import { DB_FILE } from '../../src/store/db.js';
import { LOCAL_SPF } from '../helpers/gateway.js';

/** The kinds of live handles and timers this process holds, counted. */
function resources(): Record<string, number> {
  const n: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) n[r] = (n[r] ?? 0) + 1;
  return n;
}

describe('a SQLite gateway that fails to start, in-process', () => {
  it('closes the database, its threads and its timers when it fails before binding (a TLS certificate file that is not there)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'maskgate-tls-'));
    const overrides = {
      dataDir,
      smtp: { port: 0, host: '127.0.0.1', workerThreads: 1 },
      http: { port: 0, host: '127.0.0.1' },
      tls: { cert: '/nonexistent/maskgate/fullchain.pem', key: '/nonexistent/maskgate/privkey.pem' },
      api: { token: 'sqlite-tls-token-0123456789abcdefghij' },
      log: { level: 'silent' },
    };
    const before = resources();
    await expect(startGateway(loadConfig({ env: {}, overrides }), pino({ level: 'silent' }), { resolver: LOCAL_SPF })).rejects.toThrow(/ENOENT/);
    // Closed threads and timers are gone once their close events ran.
    await new Promise((res) => setImmediate(res));
    expect(existsSync(join(dataDir, `${DB_FILE}-wal`))).toBe(false);
    const after = resources();
    for (const [kind, count] of Object.entries(after)) expect({ kind, count }).toEqual({ kind, count: Math.min(count, before[kind] ?? 0) });
    // The data directory is free: a start without the missing certificate works.
    const again = await startGateway(loadConfig({ env: {}, overrides: { ...overrides, tls: {} } }), pino({ level: 'silent' }), { resolver: LOCAL_SPF });
    await again.stop();
  }, 60_000);
});
