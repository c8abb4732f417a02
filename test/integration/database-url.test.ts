// With database.url set, the gateway runs on PostgreSQL (README, "More than one machine"): a
// database it cannot reach stops the start with a sentence, never a quiet fallback to SQLite beside
// the database the operator believes in, and never the password in the output.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('MASKGATE_DATABASE_URL', () => {
  it('pointing at a database that does not answer, stops the start with a sentence naming it (password hidden) and writes no SQLite file', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'maskgate-dburl-')), 'data');
    dirs.push(dataDir);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        MASKGATE_CONFIG: '',
        MASKGATE_DATA_DIR: dataDir,
        MASKGATE_SMTP_PORT: '0',
        MASKGATE_HTTP_PORT: '0',
        MASKGATE_API_TOKEN: 'database-url-test-token-0123456789',
        MASKGATE_DATABASE_URL: 'postgres://maskgate:s3cret-pw@127.0.0.1:1/maskgate',
      },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('maskgate: could not start: cannot open the PostgreSQL database postgres://maskgate:***@127.0.0.1:1/maskgate (ECONNREFUSED)');
    const lines = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { event?: string; level: number });
    expect(lines.some((l) => l.event === 'gateway.listening')).toBe(false);
    // The password is never printed, and nothing was opened on SQLite.
    expect(r.stdout + r.stderr).not.toContain('s3cret-pw');
    expect(existsSync(dataDir) ? readdirSync(dataDir).filter((f) => f.startsWith('maskgate.sqlite')) : []).toEqual([]);
  });
});
