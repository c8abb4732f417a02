import { describe, expect, it } from 'vitest';
import { cachedResolver, type TtlResolver } from './dns-cache.js';
import { notFound } from './resolver.js';

function counting(answer: (name: string, rrtype: string) => unknown[] | Error, ttlSeconds: number | null = null) {
  const calls: string[] = [];
  const release: (() => void)[] = [];
  const lookup: TtlResolver = (name, rrtype) => {
    calls.push(`${rrtype} ${name}`);
    return new Promise((resolve, reject) => {
      // Answers come back only when the test says so: lookups overlap as on a slow resolver.
      release.push(() => {
        const a = answer(name, rrtype);
        if (a instanceof Error) reject(a);
        else resolve({ records: a, ttlSeconds });
      });
    });
  };
  const flush = () => release.splice(0).forEach((r) => r());
  return { calls, lookup, flush };
}

describe('DNS answer cache', () => {
  it('asks once for a burst of lookups of one name, and answers later ones from the cache until the TTL ends', async () => {
    let clock = 0;
    const dns = counting(() => [['v=spf1 -all']]);
    const resolve = cachedResolver(dns.lookup, { maxTtlSeconds: 300, maxEntries: 100, now: () => clock });
    const burst = Array.from({ length: 20 }, () => resolve('Shop.Example.', 'TXT'));
    dns.flush();
    expect(await Promise.all(burst)).toEqual(Array.from({ length: 20 }, () => [['v=spf1 -all']]));
    expect(await resolve('shop.example', 'TXT')).toEqual([['v=spf1 -all']]);
    expect(dns.calls).toEqual(['TXT Shop.Example.']);
    clock += 301_000;
    const again = resolve('shop.example', 'TXT');
    dns.flush();
    await again;
    expect(dns.calls).toHaveLength(2);
  });

  it('keeps an answer no longer than the TTL DNS gave it', async () => {
    let clock = 0;
    const dns = counting(() => ['10.0.0.5'], 30);
    const resolve = cachedResolver(dns.lookup, { maxTtlSeconds: 300, maxEntries: 100, now: () => clock });
    const first = resolve('mx.shop.example', 'A');
    dns.flush();
    await first;
    clock += 31_000;
    const second = resolve('mx.shop.example', 'A');
    dns.flush();
    await second;
    expect(dns.calls).toHaveLength(2);
  });

  it('keeps "no such record" answers too, but not timeouts', async () => {
    const dns = counting((name) => (name.startsWith('_dmarc') ? notFound(name, 'TXT') : Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })));
    const resolve = cachedResolver(dns.lookup, { maxTtlSeconds: 300, maxEntries: 100 });
    for (let i = 0; i < 3; i++) {
      const dmarc = resolve('_dmarc.shop.example', 'TXT');
      const slow = resolve('slow.example', 'TXT');
      dns.flush();
      await expect(dmarc).rejects.toMatchObject({ code: 'ENOTFOUND' });
      await expect(slow).rejects.toMatchObject({ code: 'ETIMEOUT' });
    }
    expect(dns.calls.filter((c) => c.includes('_dmarc'))).toHaveLength(1);
    expect(dns.calls.filter((c) => c.includes('slow'))).toHaveLength(3);
  });

  it('holds at most maxEntries answers, dropping the least recently used', async () => {
    const dns = counting((name) => [[name]]);
    const resolve = cachedResolver(dns.lookup, { maxTtlSeconds: 300, maxEntries: 2 });
    for (const name of ['a.example', 'b.example', 'a.example', 'c.example', 'a.example', 'b.example']) {
      const p = resolve(name, 'TXT');
      dns.flush();
      await p;
    }
    // a stays (used again before c came); b was evicted by c, so it is asked again.
    expect(dns.calls).toEqual(['TXT a.example', 'TXT b.example', 'TXT c.example', 'TXT b.example']);
  });
});
