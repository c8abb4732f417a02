// Whole gateways on PostgreSQL (issue 16): the same load through one node on SQLite, one node on
// PostgreSQL and two nodes on one PostgreSQL. Each gateway is a child process of the built gateway
// (`npm run build` first; from source through tsx otherwise) with everything on: sender
// verification, rules, masking, filters, DKIM, the durable commit before the 250. PostgreSQL is a
// throwaway cluster with fsync and synchronous commit on, as a production server. Postfix's
// smtp-source sends BENCH_COUNT (2 000) messages of BENCH_SIZE (10 240) bytes over BENCH_SESSIONS
// (40) sessions, split evenly over the nodes, to one buyer's alias; the SMTP sink runs in this
// process. Prints per setup: accepted and end-to-end messages per second, CPU ms per message of the
// gateway processes and of PostgreSQL (postmaster and backends), and whether every message arrived.
//   npm run build && npx tsx bench/pg-nodes-bench.ts
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { seedChildPair, startChildGateway, type ChildGateway } from '../test/helpers/child-gateway.js';
import { startPgCluster, type PgCluster } from '../test/helpers/pg-cluster.js';
import { startSink, type Sink } from '../test/helpers/sink.js';

const COUNT = Number(process.env.BENCH_COUNT ?? 2_000);
const SIZE = Number(process.env.BENCH_SIZE ?? 10_240);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 40);
const TOKEN = 'pg-nodes-bench-token-0123456789abcdef';
const root = new URL('../', import.meta.url).pathname;
const built = existsSync(join(root, 'dist/src/main.js'));
const TICK_MS = 10; // USER_HZ = 100 on Linux

/** CPU milliseconds a process has used (utime + stime), plus its reaped children's when asked. */
function cpuMs(pid: number, children = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0);
    return ticks * TICK_MS;
  } catch {
    return 0;
  }
}

/** CPU of the whole cluster: the postmaster with its reaped backends, plus every live backend. */
function clusterCpuMs(postmaster: number): number {
  let total = cpuMs(postmaster, true);
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) total += cpuMs(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

function startNode(sink: Sink, url: string | null): Promise<ChildGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'maskgate-pgbench-'));
  return startChildGateway({
    script: built ? 'dist/src/main.js' : 'src/main.ts',
    plain: built,
    token: TOKEN,
    stderr: 'inherit',
    timeoutMs: 180_000,
    // All bench sessions come from 127.0.0.1: lift the per-address connection limit.
    config: { smtp: { maxConnectionsPerIp: 10_000 } },
    env: {
      MASKGATE_DATA_DIR: dataDir,
      MASKGATE_SMTP_PORT: '0',
      MASKGATE_HTTP_PORT: '0',
      MASKGATE_SMARTHOST: sink.url,
      MASKGATE_LOG_LEVEL: 'info', // production level: the per-message log lines are part of the cost
      ...(url ? { MASKGATE_DATABASE_URL: url } : {}),
    },
  });
}

function smtpSource(port: number, sessions: number, count: number, to: string): Promise<number> {
  return new Promise((resolve) => {
    const p = spawn(
      'smtp-source',
      ['-s', String(sessions), '-m', String(count), '-l', String(SIZE), '-f', 'jane@buyer.example', '-t', to, `127.0.0.1:${port}`],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    p.on('exit', (code) => resolve(code ?? 1));
  });
}

interface Row {
  readonly setup: string;
  readonly acceptedPerS: number;
  readonly e2ePerS: number;
  readonly gatewayCpuMs: number;
  readonly pgCpuMs: number | null;
  readonly allDelivered: boolean;
}

async function freshDatabase(cluster: PgCluster): Promise<string> {
  const name = `bench_${Date.now()}`;
  const c = new pg.Client(cluster.url);
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  return cluster.url.replace(/\/postgres$/, `/${name}`);
}

async function run(setup: string, nodes: number, cluster: PgCluster | null): Promise<Row> {
  const sink = await startSink();
  const url = cluster ? await freshDatabase(cluster) : null;
  const gateways: ChildGateway[] = [];
  // One at a time: the first creates the schema, the DKIM key and the secrets.
  for (let i = 0; i < nodes; i++) gateways.push(await startNode(sink, url));
  try {
    const alias = await seedChildPair(gateways[0] as ChildGateway, 'BENCH-1');
    // Warm-up: a few messages through every node, not counted.
    await Promise.all(gateways.map((g) => smtpSource(g.smtpPort, 2, 20, alias)));
    await sink.waitFor(20 * nodes, 120_000);
    sink.messages.length = 0;
    const postmaster = cluster ? Number(readFileSync(join(cluster.record.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) : 0;
    const cpu0 = gateways.reduce((s, g) => s + cpuMs(g.proc.pid as number), 0);
    const pg0 = cluster ? clusterCpuMs(postmaster) : 0;
    const t0 = performance.now();
    const codes = await Promise.all(gateways.map((g) => smtpSource(g.smtpPort, Math.ceil(SESSIONS / nodes), Math.ceil(COUNT / nodes), alias)));
    const accepted = performance.now() - t0;
    const total = Math.ceil(COUNT / nodes) * nodes;
    let allDelivered = true;
    try {
      await sink.waitFor(total, 600_000);
    } catch {
      allDelivered = false;
    }
    const e2e = performance.now() - t0;
    const cpu = gateways.reduce((s, g) => s + cpuMs(g.proc.pid as number), 0) - cpu0;
    const pgCpu = cluster ? clusterCpuMs(postmaster) - pg0 : null;
    return {
      setup,
      acceptedPerS: (total / accepted) * 1000,
      e2ePerS: (total / e2e) * 1000,
      gatewayCpuMs: cpu / total,
      pgCpuMs: pgCpu === null ? null : pgCpu / total,
      allDelivered: allDelivered && codes.every((c) => c === 0) && sink.messages.length >= total,
    };
  } finally {
    for (const g of gateways) g.proc.kill('SIGTERM');
    await Promise.all(gateways.map((g) => new Promise((r) => (g.proc.exitCode !== null ? r(null) : g.proc.once('exit', r)))));
    await sink.close();
  }
}

const cluster = await startPgCluster({ durable: true });
const rows: Row[] = [];
try {
  rows.push(await run('SQLite, one node', 1, null));
  rows.push(await run('PostgreSQL, one node', 1, cluster));
  rows.push(await run('PostgreSQL, two nodes', 2, cluster));
} finally {
  cluster.stop();
}
console.log(`\n${COUNT} × ${SIZE} B over ${SESSIONS} sessions, ${built ? 'built' : 'from source'}:`);
console.log('| setup | accepted msg/s | end to end msg/s | gateway CPU ms/msg | PostgreSQL CPU ms/msg | all delivered |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.setup} | ${r.acceptedPerS.toFixed(0)} | ${r.e2ePerS.toFixed(0)} | ${r.gatewayCpuMs.toFixed(1)} | ${r.pgCpuMs === null ? '–' : r.pgCpuMs.toFixed(1)} | ${r.allDelivered} |`,
  );
}
for (const d of readdirSync(tmpdir()).filter((d) => d.startsWith('maskgate-pgbench-'))) rmSync(join(tmpdir(), d), { recursive: true, force: true });
