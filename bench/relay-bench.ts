// `npm run bench`: drives maskgate (a child process delivering to a local SMTP sink) with N
// concurrent SMTP sessions that reuse their connections, and the same harness against a bare
// smtp-server → sink relay, for 10 KB and 1 MB messages. Prints accepted and end-to-end msgs/s,
// p50/p99 time to 250 and peak RSS, and the ratio maskgate/bare. Writes bench/out/relay.json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedChildPair, startChildGateway, type ChildGateway } from '../test/helpers/child-gateway.js';
import { startSink, type Sink } from '../test/helpers/sink.js';
import { SmtpClient } from '../test/helpers/smtp-client.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 20);
const TOKEN = 'bench-token-0123456789abcdefghijkl';
const root = new URL('../', import.meta.url).pathname;
const ALL_CASES = [
  { label: '10 KB', bytes: 10 * 1024, count: Number(process.env.BENCH_COUNT_SMALL ?? 3000) },
  { label: '1 MB', bytes: 1024 * 1024, count: Number(process.env.BENCH_COUNT_LARGE ?? 300) },
];

const CASES = ALL_CASES.filter((c) => !process.env.BENCH_SIZE || c.label === process.env.BENCH_SIZE);

function start(kind: 'maskgate' | 'bare', sink: Sink, dataDir: string): Promise<ChildGateway> {
  // All bench sessions come from 127.0.0.1: lift the per-address connection limit.
  return startChildGateway({
    script: kind === 'maskgate' ? 'src/main.ts' : 'bench/bare-relay.ts',
    nodeArgs: process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(root, 'bench/out/profiles')}`] : [],
    token: TOKEN,
    stderr: 'inherit',
    config: { smtp: { maxConnectionsPerIp: 10_000 } },
    env: {
      SINK_PORT: String(sink.port),
      MASKGATE_DATA_DIR: dataDir,
      MASKGATE_SMTP_PORT: '0',
      MASKGATE_HTTP_PORT: '0',
      MASKGATE_SMARTHOST: sink.url,
      MASKGATE_LOG_LEVEL: 'info', // production level: the per-message log lines are part of the cost
    },
  });
}

function message(bytes: number, to: string): (i: number) => Buffer {
  const line = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789\r\n';
  const body = line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
  return (i) =>
    Buffer.from(
      `From: Jane Doe <jane@buyer.example>\r\nTo: ${to}\r\nSubject: bench-${i}\r\nMessage-ID: <bench-${i}-${Date.now()}@buyer.example>\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n${body}`,
      'latin1',
    );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

const debug = (...a: unknown[]) => {
  if (process.env.BENCH_DEBUG) console.error(...a);
};

async function runCase(kind: 'maskgate' | 'bare', c: (typeof ALL_CASES)[number]) {
  const dataDir = mkdtempSync(join(tmpdir(), 'maskgate-bench-'));
  const arrivals = new Map<number, number>();
  const sink = await startSink({
    onMessage: (m) => {
      const head = m.raw.subarray(0, 2048).toString('latin1');
      const i = Number(/^Subject: bench-(\d+)\r?$/m.exec(head)?.[1]);
      if (!Number.isNaN(i)) arrivals.set(i, m.at);
    },
  });
  debug('sink up', kind);
  const target = await start(kind, sink, dataDir);
  debug('target up', target.smtpPort);
  try {
    let to = 'someone@relay.localhost';
    if (kind === 'maskgate') {
      to = await seedChildPair(target, 'B-1', { slug: 'bench', name: 'Bench Store', mailbox: 'support@store.example' }, 'Jane Doe');
    }
    const make = message(c.bytes, to);
    // Warm up: one message per session, not counted.
    const clients = await Promise.all(Array.from({ length: SESSIONS }, () => SmtpClient.connect(target.smtpPort)));
    debug('clients connected');
    const warm = 1_000_000;
    await Promise.all(clients.map((cl, k) => cl.send('jane@buyer.example', [to], make(warm + k))));
    debug('warmed up');
    const sent = new Map<number, number>();
    const latencies: number[] = [];
    let next = 0;
    let refused = 0;
    const t0 = performance.now();
    const wall0 = Date.now();
    await Promise.all(
      clients.map(async (cl) => {
        while (next < c.count) {
          const i = next++;
          const data = make(i);
          const s = performance.now();
          const r = await cl.send('jane@buyer.example', [to], data);
          const e = performance.now();
          if (r.reply.code === 250) {
            latencies.push(e - s);
            sent.set(i, wall0 + (e - t0));
          } else refused++;
        }
      }),
    );
    const acceptSeconds = (performance.now() - t0) / 1000;
    debug('accepted', sent.size, 'refused', refused, 'arrived so far', arrivals.size, 'sink total', sink.messages.length, 'sink attempts', sink.attempts);
    const deadline = Date.now() + 120_000;
    while ([...sent.keys()].some((i) => !arrivals.has(i)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const lastArrival = Math.max(...[...sent.keys()].map((i) => arrivals.get(i) ?? Infinity));
    const e2eSeconds = (lastArrival - wall0) / 1000;
    latencies.sort((a, b) => a - b);
    const rss = peakRssMb(target.proc.pid!);
    await Promise.all(clients.map((cl) => cl.quit()));
    return {
      kind,
      size: c.label,
      messages: c.count,
      refused,
      acceptedPerSec: c.count / acceptSeconds,
      endToEndPerSec: Number.isFinite(e2eSeconds) ? c.count / e2eSeconds : 0,
      p50ms: percentile(latencies, 50),
      p99ms: percentile(latencies, 99),
      peakRssMb: rss,
    };
  } finally {
    target.proc.kill('SIGTERM');
    await new Promise((r) => target.proc.once('exit', r));
    await sink.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results = [];
const kinds = (process.env.BENCH_ONLY ? [process.env.BENCH_ONLY] : ['maskgate', 'bare']) as ('maskgate' | 'bare')[];
for (const c of CASES) {
  for (const kind of kinds) {
    const r = await runCase(kind, c);
    results.push(r);
    process.stdout.write(
      `${r.kind.padEnd(8)} ${r.size.padEnd(6)} ${String(r.messages).padStart(5)} msgs  accepted ${r.acceptedPerSec.toFixed(0).padStart(5)}/s  end-to-end ${r.endToEndPerSec.toFixed(0).padStart(5)}/s  250 p50 ${r.p50ms.toFixed(1)} ms p99 ${r.p99ms.toFixed(1)} ms  peak RSS ${r.peakRssMb.toFixed(0)} MB${r.refused ? `  REFUSED ${r.refused}` : ''}\n`,
    );
  }
}
for (const c of CASES) {
  const m = results.find((r) => r.kind === 'maskgate' && r.size === c.label);
  const b = results.find((r) => r.kind === 'bare' && r.size === c.label);
  // BENCH_ONLY runs one side: no ratio then.
  if (!m || !b) continue;
  process.stdout.write(
    `${c.label}: maskgate/bare end-to-end ${(m.endToEndPerSec / b.endToEndPerSec).toFixed(2)}, accepted ${(m.acceptedPerSec / b.acceptedPerSec).toFixed(2)}\n`,
  );
}
mkdirSync(join(root, 'bench/out'), { recursive: true });
writeFileSync(join(root, 'bench/out/relay.json'), JSON.stringify({ sessions: SESSIONS, node: process.version, results }, null, 2));
