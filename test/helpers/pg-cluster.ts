// A throwaway PostgreSQL cluster for one test run (no vitest import: vitest.config.ts reads findPgBin): initdb in a temp dir, a free port on 127.0.0.1,
// its unix socket in the temp dir, trust authentication for the one local user, stopped and removed
// at the end. initdb and the server refuse to run as root, so under root (CI containers) they run
// as the `postgres` system user (created by Debian's package) through runuser.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgCluster {
  /** postgres://… of the cluster's `postgres` database (superuser, no password). */
  readonly url: string;
  /** What stopCluster needs (another process may stop it). */
  readonly record: ClusterRecord;
  stop(): void;
}

/** The directory holding initdb and pg_ctl: $PG_BIN, else the newest /usr/lib/postgresql/N/bin; null when absent. */
export function findPgBin(): string | null {
  const env = process.env.PG_BIN;
  if (env && existsSync(join(env, 'initdb'))) return env;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** durable: fsync and synchronous commit on, as a production server (the bench); off by default (tests). */
export async function startPgCluster(o: { durable?: boolean } = {}): Promise<PgCluster> {
  const bin = findPgBin();
  if (!bin) throw new Error('PostgreSQL not found: apt-get install postgresql, or set PG_BIN to the directory holding initdb');
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'maskgate-pg-'));
  const data = join(dir, 'data');
  const user = root ? 'postgres' : (process.env.USER ?? 'postgres');
  if (root) {
    chmodSync(dir, 0o755);
    execFileSync('chown', ['postgres', dir]);
  }
  // Runs a PostgreSQL program as the owner of the cluster.
  const run = (prog: string, args: string[]) => {
    const [cmd, argv] = root ? ['runuser', ['-u', 'postgres', '--', join(bin, prog), ...args]] : [join(bin, prog), args];
    const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`${prog} failed (${r.status}): ${r.stderr || r.stdout}`);
  };
  run('initdb', ['-D', data, '-U', user, '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync']);
  // fsync off: a test cluster is thrown away, and durability is not what these tests measure.
  const durability = o.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
  // The port is free when picked, but is given back before the server binds it: a gateway of
  // another test file (listening on port 0) can take it in between. Then the start fails with
  // "Address already in use" in the log, and is tried again on another port (a few times).
  const startOnFreePort = async (): Promise<number> => {
    for (let tries = 1; ; tries++) {
      const port = await freePort();
      const opts = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir}${durability} -c max_connections=200`;
      try {
        run('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
        return port;
      } catch (err) {
        const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : '';
        if (tries >= 5 || !log.includes('Address already in use')) throw err;
        rmSync(join(dir, 'log'), { force: true });
      }
    }
  };
  const port = await startOnFreePort();
  let stopped = false;
  return {
    url: `postgres://${user}@127.0.0.1:${port}/postgres`,
    record: { url: `postgres://${user}@127.0.0.1:${port}/postgres`, dataDir: data, root, dir },
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export interface ClusterRecord {
  readonly url: string;
  readonly dataDir: string;
  readonly root: boolean;
  readonly dir: string;
}

/** Stops a cluster from its record (the global teardown). */
export function stopCluster(rec: ClusterRecord): void {
  const bin = findPgBin() as string;
  const args = ['-D', rec.dataDir, '-m', 'immediate', '-w', 'stop'];
  if (rec.root) spawnSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...args]);
  else spawnSync(join(bin, 'pg_ctl'), args);
  rmSync(rec.dir, { recursive: true, force: true });
}
