// Owns every DNS lookup maskgate makes: one resolver with a timeout, in the shape mailauth takes
// (name, rrtype) → the records as node:dns returns them (TXT: string[][], MX: {exchange, priority}[],
// A/AAAA/PTR: string[]). Names listed in `dns.static` are answered from config first (a lab, a
// split-horizon network, the tests that run the gateway as a child process). Tests in-process hand
// the gateway a fixed resolver instead (DNS is outside the machine).
import { Resolver } from 'node:dns/promises';
import { cachedResolver, type DnsCacheOptions, type TtlResolver } from './dns-cache.js';
import { wireLookup } from './wire-lookup.js';

export type DnsResolver = (name: string, rrtype: string) => Promise<unknown[]>;

/** name → record type → records; TXT records are plain strings, MX records "priority exchange". */
export type StaticRecords = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

export function notFound(name: string, rrtype: string): Error {
  return Object.assign(new Error(`no ${rrtype} records for ${name}`), { code: 'ENOTFOUND' });
}

/** Answers a type from static records in node:dns shapes; null when the name is not listed. */
export function staticAnswer(records: StaticRecords, name: string, rrtype: string): unknown[] | null {
  const entry = records[name.toLowerCase().replace(/\.$/, '')];
  if (!entry) return null;
  const rows = entry[rrtype];
  if (!rows || rows.length === 0) throw Object.assign(new Error(`no ${rrtype} records for ${name}`), { code: 'ENODATA' });
  if (rrtype === 'TXT') return rows.map((r) => [r]);
  if (rrtype === 'MX') {
    return rows.map((r) => {
      const [priority, exchange] = r.trim().split(/\s+/);
      return { priority: Number(priority), exchange };
    });
  }
  return [...rows];
}

/**
 * The machine's DNS servers (as node:dns reads them from the system) asked directly
 * (wire-lookup.ts), so every answer comes with its TTL, behind the answer cache (dns-cache.ts);
 * static records are answered first and never cached. A truncated answer is asked again over TCP
 * (TTL kept); only if that fails, through node:dns, kept for at most `cache.maxTtlSeconds`.
 */
export function systemResolver(
  timeoutMs: number,
  records: StaticRecords = {},
  cache: DnsCacheOptions = { maxTtlSeconds: 0, maxEntries: 1 },
  /** DNS servers instead of the system's ("127.0.0.1:5353"; tests). */
  servers?: readonly string[],
): DnsResolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (servers) resolver.setServers(servers);
  const lookup: TtlResolver = wireLookup({
    servers: resolver.getServers(),
    timeoutMs,
    tries: 2,
    fallback: async (name, rrtype) => (await resolver.resolve(name, rrtype)) as unknown[],
  });
  const cached = cachedResolver(lookup, cache);
  return async (name, rrtype) => staticAnswer(records, name, rrtype) ?? (await cached(name, rrtype));
}

/** A resolver that answers only from static records: every other name is unknown. */
export function staticResolver(records: StaticRecords): DnsResolver {
  return async (name, rrtype) => {
    const answer = staticAnswer(records, name, rrtype);
    if (answer === null) throw notFound(name, rrtype);
    return answer;
  };
}

/** TXT records of a name joined per record; [] when there are none (NXDOMAIN, NODATA). */
export async function txtRecords(resolve: DnsResolver, name: string): Promise<string[]> {
  try {
    const rows = await resolve(name, 'TXT');
    return rows.map((r) => (Array.isArray(r) ? r.join('') : String(r)));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'NXDOMAIN') return [];
    throw err;
  }
}
