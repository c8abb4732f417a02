// Starts a gateway (or the bench's bare relay) as a child process from the TypeScript source, waits
// for its "gateway.listening" log line, and posts JSON to its API. Used by the crash test and the
// bench, which need a process they can kill or measure on its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { StaticRecords } from '../../src/dns/resolver.js';

const root = new URL('../../', import.meta.url).pathname;

export interface ChildGateway {
  readonly proc: ChildProcess;
  readonly smtpPort: number;
  readonly httpPort: number | undefined;
  /** The child's `gateway.listening` log line (its node id, ports, database). */
  readonly listening: Readonly<Record<string, unknown>>;
  /** POST JSON to the child's API with its token; resolves with the parsed answer. */
  post(path: string, body: unknown): Promise<any>;
}

export interface ChildOptions {
  /** Script to run, relative to the project root; the gateway by default. */
  readonly script?: string;
  readonly env: Record<string, string>;
  readonly token: string;
  readonly nodeArgs?: readonly string[];
  readonly stderr?: 'pipe' | 'inherit';
  readonly timeoutMs?: number;
  /**
   * DNS answers for the child (`dns.static`, written to a config file it reads): DNS is outside
   * the machine. By default the test buyer's domain publishes SPF allowing 127.0.0.1 and no DMARC.
   */
  readonly dns?: StaticRecords;
  /** More config for the child, merged into the same file (MASKGATE_CONFIG is this helper's). */
  readonly config?: Record<string, unknown>;
  /** Run the script with plain node (a built .js), not through tsx. */
  readonly plain?: boolean;
}

/**
 * The V8 flags every launcher gives the gateway (npm start, the Dockerfile, the systemd unit, the
 * maskgate command; test/launchers.test.ts keeps them in step), so a child runs as in production.
 * `--expose-gc`: after a large message each thread collects its garbage at once
 * (relay/collect-garbage.ts). `--max-semi-space-size=4`: every thread's young generation at most
 * 2 × 4 MB (V8's default lets the SMTP thread's grow to 32 MB, and it stays in RSS once grown; the
 * flag also overrides the pool threads' work-pool.ts THREAD_YOUNG_GENERATION_MB, set to the same
 * size). Measured in round 6: RSS at rest 197 → 162 MB; the pool work's CPU per message no higher
 * (bench/pool-memory.ts, 10 KiB 11.9–13.2 → 9.4–9.6 ms, 1 MiB 153–158 → 140–148 ms; README "Speed").
 * `--heap-growing-percent=50`: after a full collection each heap may grow by half what survived
 * before the next one. V8 otherwise sizes the next limit from how fast it marks against how fast the
 * thread allocates, and on these small heaps (~31 MB alive on the SMTP thread) it chose its minimum
 * (×1.1, plus the young generation), and starts marking once the room left is below the young
 * generation's size: the SMTP thread ran a full collection about every 2 messages of 1 MiB (136–151
 * per 300), each marking all 31 MB again on V8's helper threads. Round 7: 45–50 natural + 15–21
 * forced (collect-garbage.ts) per 300, helper threads 9.0–11.3 s instead of 13.7–18.0 s, 1 MiB CPU
 * per message median 106.6 → 91.3 ms, peak RSS within the runs' spread (collect-garbage.ts still
 * bounds each heap's growth; README "Speed", round 7). Round 13 lowered it from 100 to 50: at
 * 10 KiB with 100 sessions the SMTP thread's ~25 MB alive then grew to ~50 MB of old space (the
 * sessions' promoted objects, dead) before each collection, and the pool thread's likewise; with 50
 * peak RSS is ~30 MB lower at the same CPU per message, and the 1 MiB tier's CPU is within the noise
 * (README "Speed", round 13).
 */
export const GATEWAY_NODE_ARGS: readonly string[] = ['--expose-gc', '--max-semi-space-size=4', '--heap-growing-percent=50'];

/**
 * The environment every launcher gives the gateway besides its own settings (npm start, the
 * Dockerfile, the systemd unit, the maskgate command; test/launchers.test.ts keeps them in step).
 * `MALLOC_MMAP_THRESHOLD_` (glibc; other C libraries ignore it): every allocation of 4 MiB or more
 * gets a mapping of its own, unmapped when freed. Left to itself glibc raises that threshold to the
 * largest block freed (up to 32 MiB), so after the first large message its 17 MB buffers (the bytes
 * received, a decoded attachment) come from the arenas, and what a burst of them left there stays
 * resident. Round 19 (README "Speed"): the memory tier's peak ~15 MB lower in five of six pairs, the
 * 1 MiB tier (no allocation that large) within the noise. Fixing it also fixes glibc's trim
 * threshold at its default (128 KiB), which the same pairs include.
 */
export const GATEWAY_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '4194304' };

export const CHILD_DNS: StaticRecords = {
  'buyer.example': { TXT: ['v=spf1 ip4:127.0.0.1 -all'] },
  '_dmarc.buyer.example': {},
};

export function startChildGateway(o: ChildOptions): Promise<ChildGateway> {
  const configFile = join(mkdtempSync(join(tmpdir(), 'maskgate-child-')), 'config.json');
  writeFileSync(configFile, JSON.stringify({ ...o.config, dns: { static: o.dns ?? CHILD_DNS } }));
  const proc = spawn(process.execPath, [...GATEWAY_NODE_ARGS, ...(o.nodeArgs ?? []), ...(o.plain ? [] : ['--import', 'tsx']), o.script ?? 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...GATEWAY_ENV, MASKGATE_API_TOKEN: o.token, MASKGATE_CONFIG: configFile, ...o.env },
    stdio: ['ignore', 'pipe', o.stderr ?? 'pipe'],
  });
  // A gateway from source starts tsx in its pool thread too: on a loaded machine that takes a while.
  const timeoutMs = o.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${o.script ?? 'gateway'} did not start in ${timeoutMs} ms`)), timeoutMs);
    proc.once('exit', (code) => reject(new Error(`${o.script ?? 'gateway'} exited with ${code}`)));
    // Keep reading stdout to its end, or the child blocks on a full pipe.
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (!line.includes('"gateway.listening"')) return;
      const ev = JSON.parse(line) as { smtpPort: number; httpPort?: number };
      clearTimeout(timer);
      resolve({
        proc,
        smtpPort: ev.smtpPort,
        httpPort: ev.httpPort,
        listening: ev,
        async post(path, body) {
          const res = await fetch(`http://127.0.0.1:${ev.httpPort}${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          return res.json();
        },
      });
    });
  });
}

/** A store and one order of jane@buyer.example through the child's API; resolves with her alias. */
export async function seedChildPair(
  child: ChildGateway,
  number: string,
  store: { slug: string; name: string; mailbox: string } = { slug: 'acme', name: 'Acme', mailbox: 'support@acme.example' },
  buyerName = 'Jane',
): Promise<string> {
  const created = await child.post('/api/v1/stores', store);
  const order = await child.post('/api/v1/orders', {
    storeId: created.id,
    number,
    buyer: { email: 'jane@buyer.example', name: buyerName },
    total: 1,
    currency: 'EUR',
    placedAt: '2026-11-01T00:00:00Z',
  });
  return order.address as string;
}
