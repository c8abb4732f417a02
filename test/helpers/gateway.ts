// Starts the real gateway in-process on 127.0.0.1:0 with a fresh data dir, plus a sink as its
// smarthost, and a small JSON client for the API. Everything stops in `close()`. What every start
// would repeat is made once per test file (`fresh: false`, the default): the data dir starts from a
// migrated database holding the file's DKIM key (data-dir-template.ts), and the relay's work pool is
// the file's warm one for that key (shared-pools.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { notFound, staticResolver, type DnsResolver, type StaticRecords } from '../../src/dns/resolver.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { seedDataDir } from './data-dir-template.js';
import { sharedWorkPool } from './shared-pools.js';
import { startSink, type Sink } from './sink.js';

export const TEST_TOKEN = 'test-token-0123456789abcdefghij';
export const DOMAIN = 'relay.localhost';

export interface Harness {
  readonly gw: Gateway;
  readonly sink: Sink | null;
  readonly dataDir: string;
  api<T = any>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/**
 * Tests never ask real DNS. By default every domain publishes one SPF record that allows
 * 127.0.0.1, where the test clients connect from, and nothing else (no DMARC, no DKIM keys): mail
 * from the tests passes SPF aligned with its own domain, as mail from a real mail host would.
 * Spoofing tests hand in their own zone with `zone()`.
 */
export const LOCAL_SPF: DnsResolver = async (name, rrtype) => {
  if (rrtype === 'TXT' && !name.startsWith('_') && !name.includes('._domainkey.')) return [['v=spf1 ip4:127.0.0.1 -all']];
  throw notFound(name, rrtype);
};

/** A fixed zone: name → type → records (TXT as plain strings); every other name is unknown. */
export function zone(records: StaticRecords): DnsResolver {
  return staticResolver(records);
}

/** A DNS record as the API publishes it (`GET /api/v1/dns`). */
export interface PublishedRecord {
  readonly type: string;
  readonly name: string;
  readonly value: string;
}

/**
 * A receiver's resolver for mailauth (`dkimVerify(raw, { resolver })`): it answers with the records
 * the gateway says to publish, as the receiver's DNS would once they are (DNS is outside the
 * machine); every other name is unknown (ENOTFOUND).
 */
export function publishedResolver(records: readonly PublishedRecord[]): (name: string, type: string) => Promise<string[][]> {
  return async (name, type) => {
    const hit = records.find((r) => r.name === name && r.type === type);
    if (!hit) throw Object.assign(new Error(`no ${type} for ${name}`), { code: 'ENOTFOUND' });
    return [[hit.value]];
  };
}

/**
 * opts.fresh: start as a new install does, every time: migrations run, the DKIM key is generated
 * and the gateway starts and warms up a work pool of its own (tests about exactly that). Otherwise
 * only a data dir the harness made itself is seeded (one a test passes in `overrides` is its own).
 */
export async function startHarness(
  overrides: Record<string, unknown> = {},
  opts: { sink?: boolean; logLines?: string[]; resolver?: DnsResolver; fresh?: boolean } = {},
): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'maskgate-test-'));
  const sink = opts.sink === false ? null : await startSink();
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      // One pool thread: many test gateways start at once on a small machine, and each thread
      // loads tsx, mailauth and the MIME code before its first message.
      smtp: { port: 0, host: '127.0.0.1', workerThreads: 1 },
      http: { port: 0, host: '127.0.0.1' },
      api: { token: TEST_TOKEN },
      outbound: { smarthost: sink ? sink.url : null, pollIntervalMs: 50, retrySchedule: [0.2, 0.2, 0.2], retryThereafter: 0.2 },
      log: { level: 'silent' },
      ...overrides,
    },
  });
  if (!opts.fresh && config.dataDir === dataDir)
    seedDataDir(dataDir, config.dkim.enabled ? { domain: config.domains[0] as string, selector: config.dkim.selector } : null);
  const lines = opts.logLines;
  const logger = lines ? pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }) : pino({ level: 'silent' });
  const gw = await startGateway(config, logger, { resolver: opts.resolver ?? LOCAL_SPF, ...(opts.fresh ? {} : { workPool: sharedWorkPool }) });
  const base = `http://127.0.0.1:${gw.httpPort}`;
  return {
    gw,
    sink,
    dataDir,
    async api(method, path, body, token = TEST_TOKEN) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // raw bodies stay text
      }
      return { status: res.status, body: parsed as never };
    },
    async close() {
      await gw.stop();
      await sink?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates a store and an order; returns ids and the buyer's alias address. */
export async function seedPair(
  h: Harness,
  o: { slug?: string; storeName?: string; mailbox?: string; buyerEmail?: string; buyerName?: string; number?: string } = {},
): Promise<{ storeId: number; alias: string; address: string; orderId: number; number: string }> {
  const slug = o.slug ?? 'acme';
  let store = await h.api('POST', '/api/v1/stores', { slug, name: o.storeName ?? 'Acme Store', mailbox: o.mailbox ?? 'support@acme.example' });
  if (store.status === 409) {
    const list = await h.api('GET', '/api/v1/stores');
    store = { status: 200, body: list.body.items.find((s: { slug: string }) => s.slug === slug) };
  }
  const number = o.number ?? `A-${Math.floor(Math.random() * 1e9)}`;
  const order = await h.api('POST', '/api/v1/orders', {
    storeId: store.body.id,
    number,
    buyer: { email: o.buyerEmail ?? 'jane@buyer.example', name: o.buyerName ?? 'Jane Doe' },
    items: [{ sku: 'SKU-1', name: 'Kettle', category: 'Kitchen', manufacturer: 'Boil Co', unitPrice: 19.99, quantity: 1 }],
    total: 19.99,
    currency: 'EUR',
    placedAt: '2026-11-01T10:00:00Z',
    completedAt: null,
  });
  if (order.status !== 201) throw new Error(`seed order failed: ${JSON.stringify(order.body)}`);
  return { storeId: store.body.id, alias: order.body.alias, address: order.body.address, orderId: order.body.id, number };
}
