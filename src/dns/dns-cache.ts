// Owns the DNS answer cache in front of the system resolver: answers kept within their TTL (capped
// by `dns.cacheSeconds`), negative answers (no such name, no such record) too, within the TTL of
// their SOA (RFC 2308) and at most a fifth of `dns.cacheSeconds`,
// at most `dns.cacheEntries` of them (least recently used go first), and one lookup in flight per
// name and type, so a burst of mail from one domain costs one lookup. Failures that say nothing
// about the name (timeouts, SERVFAIL, refused) are not kept: the next message asks again.
import type { DnsResolver } from './resolver.js';

export interface DnsCacheOptions {
  /** Longest an answer is kept, in seconds; 0 turns the cache off. */
  readonly maxTtlSeconds: number;
  /** Most answers kept at once. */
  readonly maxEntries: number;
  /** Clock in ms (tests). */
  readonly now?: () => number;
}

/**
 * A lookup that may also say how long its answer is valid (seconds), when DNS tells; a negative
 * answer's error may carry `ttlSeconds` the same way.
 */
export type TtlResolver = (name: string, rrtype: string) => Promise<{ records: unknown[]; ttlSeconds: number | null }>;

const NEGATIVE = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

type Entry = { readonly expires: number; readonly records: unknown[] } | { readonly expires: number; readonly error: Error };

export function cachedResolver(lookup: TtlResolver, o: DnsCacheOptions): DnsResolver {
  const now = o.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<unknown[]>>();
  const keep = (key: string, entry: Entry) => {
    entries.delete(key);
    entries.set(key, entry);
    while (entries.size > o.maxEntries) entries.delete(entries.keys().next().value as string);
  };
  const answer = (entry: Entry): Promise<unknown[]> => ('error' in entry ? Promise.reject(entry.error) : Promise.resolve([...entry.records]));
  return (name, rrtype) => {
    if (o.maxTtlSeconds === 0) return lookup(name, rrtype).then((r) => r.records);
    const key = `${rrtype} ${name.toLowerCase().replace(/\.$/, '')}`;
    const hit = entries.get(key);
    if (hit && hit.expires > now()) {
      // Most recently used last: the oldest key is the one evicted.
      entries.delete(key);
      entries.set(key, hit);
      return answer(hit);
    }
    if (hit) entries.delete(key);
    const pending = inFlight.get(key);
    if (pending) return pending.then((records) => [...records]);
    const started = lookup(name, rrtype).then(
      ({ records, ttlSeconds }) => {
        const ttl = Math.min(o.maxTtlSeconds, ttlSeconds ?? o.maxTtlSeconds);
        if (ttl > 0) keep(key, { expires: now() + ttl * 1000, records });
        return records;
      },
      (err: Error) => {
        const { code, ttlSeconds } = err as { code?: string; ttlSeconds?: number | null };
        const ttl = Math.min(o.maxTtlSeconds / 5, ttlSeconds ?? Infinity);
        if (code && NEGATIVE.has(code) && ttl > 0) keep(key, { expires: now() + ttl * 1000, error: err });
        throw err;
      },
    );
    const tracked = started.finally(() => inFlight.delete(key));
    inFlight.set(key, tracked);
    return tracked.then((records) => [...records]);
  };
}
