// A node on PostgreSQL whose port is taken stops its start as the SQLite gateway does (first-hour
// test): exit code 1 and one sentence naming the address, not a silent exit 0 or a process that
// hangs on the database pool, the campaign listener or the job timers it opened before binding.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startPgGateway } from '../../src/gateway-pg.js';
import { LOCAL_SPF } from '../helpers/gateway.js';
import { freshDatabase } from '../helpers/postgres.js';

/** Runs `npm start`'s entry on PostgreSQL with `ports`; resolves with its exit code and stderr (null code: still running after 90 s, then killed). */
async function startOnPg(url: string, ports: { smtp: number; http: number }): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: new URL('../../', import.meta.url).pathname,
    env: {
      ...process.env,
      MASKGATE_CONFIG: '',
      MASKGATE_DATABASE_URL: url,
      MASKGATE_DATA_DIR: mkdtempSync(join(tmpdir(), 'maskgate-pg-busy-')),
      MASKGATE_SMTP_PORT: String(ports.smtp),
      MASKGATE_HTTP_PORT: String(ports.http),
      MASKGATE_API_TOKEN: 'pg-busy-token-0123456789abcdefghij',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  // A hang is the failure this test looks for: it is reported as a null exit code, not as a timeout.
  const hung = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  clearTimeout(hung);
  return { code, err };
}

async function busyPort(): Promise<{ port: number; close: () => void }> {
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  return { port: (busy.address() as AddressInfo).port, close: () => busy.close() };
}

describe('a PostgreSQL node whose port is already in use', () => {
  for (const which of ['http', 'smtp'] as const) {
    it(`stops the start with exit code 1 and a sentence naming the ${which} address`, async () => {
      const url = await freshDatabase();
      const busy = await busyPort();
      try {
        const r = await startOnPg(url, which === 'http' ? { smtp: 0, http: busy.port } : { smtp: busy.port, http: 0 });
        expect(r.code, r.err).toBe(1);
        expect(r.err).toContain(
          `maskgate: could not start: listen EADDRINUSE: address already in use 127.0.0.1:${busy.port} (another program, or another maskgate, listens there`,
        );
      } finally {
        busy.close();
      }
    }, 150_000);
  }
});

/** How many connections to the database of `url` are open (asked on its cluster's `postgres` database). */
async function connectionsTo(url: string): Promise<number> {
  const admin = new pg.Client(url.replace(/\/[^/]+$/, '/postgres'));
  await admin.connect();
  try {
    return (await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [new URL(url).pathname.slice(1)])).rows[0].n;
  } finally {
    await admin.end();
  }
}

describe('a PostgreSQL node that fails to start, in-process', () => {
  it('leaves no connection open when it fails before binding (a TLS certificate file that is not there)', async () => {
    const url = await freshDatabase();
    const config = loadConfig({
      env: {},
      overrides: {
        dataDir: mkdtempSync(join(tmpdir(), 'maskgate-pg-tls-')),
        database: { url },
        smtp: { port: 0, host: '127.0.0.1', workerThreads: 1 },
        http: { port: 0, host: '127.0.0.1' },
        tls: { cert: '/nonexistent/maskgate/fullchain.pem', key: '/nonexistent/maskgate/privkey.pem' },
        api: { token: 'pg-busy-token-0123456789abcdefghij' },
        log: { level: 'silent' },
      },
    });
    await expect(startPgGateway(config, pino({ level: 'silent' }), { resolver: LOCAL_SPF })).rejects.toThrow(/ENOENT/);
    expect(await connectionsTo(url)).toBe(0);
  }, 150_000);

  it('leaves no connection to the database open, and the data directory free for the next start', async () => {
    const url = await freshDatabase();
    const busy = await busyPort();
    const dataDir = mkdtempSync(join(tmpdir(), 'maskgate-pg-busy-'));
    const config = loadConfig({
      env: {},
      overrides: {
        dataDir,
        database: { url },
        smtp: { port: 0, host: '127.0.0.1', workerThreads: 1 },
        http: { port: busy.port, host: '127.0.0.1' },
        api: { token: 'pg-busy-token-0123456789abcdefghij' },
        log: { level: 'silent' },
      },
    });
    try {
      await expect(startPgGateway(config, pino({ level: 'silent' }), { resolver: LOCAL_SPF })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      busy.close();
    }
    expect(await connectionsTo(url)).toBe(0);
    // The data directory's lock was given back: a start on free ports works.
    const again = await startPgGateway(
      loadConfig({ env: {}, overrides: { ...config, http: { port: 0, host: '127.0.0.1' } } as never }),
      pino({ level: 'silent' }),
      { resolver: LOCAL_SPF },
    );
    await again.stop();
  }, 150_000);
});
