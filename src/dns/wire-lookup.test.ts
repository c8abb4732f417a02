import { createSocket, type RemoteInfo } from 'node:dgram';
import { createServer, type AddressInfo } from 'node:net';
import * as packet from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { systemResolver } from './resolver.js';
import { wireLookup } from './wire-lookup.js';

type Reply = { answers?: packet.Answer[]; authorities?: packet.Answer[]; rcode?: string; truncated?: boolean } | 'hold';

/** A DNS server on 127.0.0.1 (UDP, port 0) answering from `zone`; 'hold' keeps the answer until released. */
async function dnsServer(zone: (name: string, type: string) => Reply, family: 'udp4' | 'udp6' = 'udp4') {
  const asked: string[] = [];
  const held: (() => void)[] = [];
  const socket = createSocket(family);
  socket.on('message', (msg: Buffer, from: RemoteInfo) => {
    const q = packet.decode(msg);
    const question = q.questions?.[0] as packet.Question;
    asked.push(`${question.type} ${question.name}`);
    const send = (r: Exclude<Reply, 'hold'>) =>
      socket.send(
        packet.encode({
          type: 'response',
          id: q.id,
          // The low four bits of the flags are the RCODE (3: NXDOMAIN).
          flags:
            packet.RECURSION_DESIRED |
            packet.RECURSION_AVAILABLE |
            (r.truncated ? packet.TRUNCATED_RESPONSE : 0) |
            ({ NXDOMAIN: 3, SERVFAIL: 2, REFUSED: 5 }[r.rcode ?? ''] ?? 0),
          questions: [question],
          answers: r.answers ?? [],
          authorities: r.authorities ?? [],
        } as packet.Packet),
        from.port,
        from.address,
      );
    const reply = zone(question.name, question.type);
    if (reply === 'hold') held.push(() => send(zone(`released.${question.name}`, question.type) as Exclude<Reply, 'hold'>));
    else send(reply);
  });
  const host = family === 'udp4' ? '127.0.0.1' : '::1';
  await new Promise<void>((r) => socket.bind(0, host, () => r()));
  const port = (socket.address() as AddressInfo).port;
  const server = family === 'udp4' ? `${host}:${port}` : `[${host}]:${port}`;
  return { server, asked, release: () => held.splice(0).forEach((f) => f()), close: () => socket.close() };
}

const soa = (ttl: number, minimum: number): packet.Answer => ({
  type: 'SOA',
  name: 'shop.example',
  ttl,
  data: { mname: 'ns.shop.example', rname: 'admin.shop.example', serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum },
});

const servers: { close(): void }[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

describe('DNS answers asked on the wire', () => {
  it('keeps a TXT answer exactly within the TTL DNS gave it, below the configured ceiling', async () => {
    const dns = await dnsServer((name) => ({ answers: [{ type: 'TXT', name, ttl: 30, data: ['v=spf1 ', '-all'] }] }));
    servers.push(dns);
    let clock = 0;
    const resolve = systemResolver(2000, {}, { maxTtlSeconds: 300, maxEntries: 100, now: () => clock }, [dns.server]);
    expect(await resolve('shop.example', 'TXT')).toEqual([['v=spf1 ', '-all']]);
    clock += 29_000;
    await resolve('shop.example', 'TXT');
    expect(dns.asked).toEqual(['TXT shop.example']);
    clock += 2_000;
    await resolve('shop.example', 'TXT');
    expect(dns.asked).toEqual(['TXT shop.example', 'TXT shop.example']);
  });

  it('keeps "no such name" for the SOA minimum of its zone (RFC 2308), and answers MX in node:dns shape', async () => {
    const dns = await dnsServer((name) =>
      name.startsWith('_dmarc')
        ? { rcode: 'NXDOMAIN', authorities: [soa(3600, 10)] }
        : { answers: [{ type: 'MX', name, ttl: 600, data: { preference: 10, exchange: 'mx.shop.example' } }] },
    );
    servers.push(dns);
    let clock = 0;
    const resolve = systemResolver(2000, {}, { maxTtlSeconds: 300, maxEntries: 100, now: () => clock }, [dns.server]);
    await expect(resolve('_dmarc.shop.example', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    clock += 9_000;
    await expect(resolve('_dmarc.shop.example', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(dns.asked).toHaveLength(1);
    clock += 2_000;
    await expect(resolve('_dmarc.shop.example', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(dns.asked).toHaveLength(2);
    expect(await resolve('shop.example', 'MX')).toEqual([{ exchange: 'mx.shop.example', priority: 10 }]);
  });

  it('asks once for a burst of lookups of one name, and a slow name holds up only the mail that needs it', async () => {
    const dns = await dnsServer((name) =>
      name === 'slow.example' ? 'hold' : { answers: [{ type: 'TXT', name: name.replace(/^released\./, ''), ttl: 300, data: [`for ${name}`] }] },
    );
    servers.push(dns);
    const resolve = systemResolver(5000, {}, { maxTtlSeconds: 300, maxEntries: 100 }, [dns.server]);
    const slow = Array.from({ length: 20 }, () => resolve('slow.example', 'TXT'));
    // While slow.example is unanswered, another domain's mail gets its answer.
    expect(await resolve('fast.example', 'TXT')).toEqual([['for fast.example']]);
    expect(dns.asked.filter((a) => a === 'TXT slow.example')).toHaveLength(1);
    dns.release();
    expect(await Promise.all(slow)).toEqual(Array.from({ length: 20 }, () => [['for released.slow.example']]));
    expect(dns.asked.filter((a) => a === 'TXT slow.example')).toHaveLength(1);
  });

  it('asks the fallback (TCP through node:dns) when the UDP answer is truncated', async () => {
    const dns = await dnsServer(() => ({ truncated: true }));
    servers.push(dns);
    const lookup = wireLookup({ servers: [dns.server], timeoutMs: 2000, tries: 1, fallback: async () => [['the whole long record']] });
    expect(await lookup('big.example', 'TXT')).toEqual({ records: [['the whole long record']], ttlSeconds: null });
  });

  it('gives a timeout, which the cache does not keep, when no server answers', async () => {
    const dns = await dnsServer(() => 'hold');
    servers.push(dns);
    const lookup = wireLookup({ servers: [dns.server], timeoutMs: 100, tries: 2, fallback: async () => [] });
    await expect(lookup('mute.example', 'TXT')).rejects.toMatchObject({ code: 'ETIMEOUT' });
    expect(dns.asked).toHaveLength(2);
  });

  it('ignores a reply to another question, even from the server asked and with the query id', async () => {
    // The server first sends a forged reply (same id, another name) and then the true one.
    const socket = createSocket('udp4');
    socket.on('message', (msg: Buffer, from: RemoteInfo) => {
      const q = packet.decode(msg);
      const question = q.questions?.[0] as packet.Question;
      const reply = (name: string, data: string) =>
        packet.encode({
          type: 'response',
          id: q.id,
          flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE,
          questions: [{ type: question.type, name }],
          answers: [{ type: 'TXT', name, ttl: 300, data: [data] }],
        } as packet.Packet);
      socket.send(reply('attacker.example', 'v=spf1 +all'), from.port, from.address);
      setTimeout(() => socket.send(reply(question.name.toUpperCase(), 'v=spf1 -all'), from.port, from.address), 20);
    });
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    servers.push({ close: () => socket.close() });
    const lookup = wireLookup({ servers: [`127.0.0.1:${(socket.address() as AddressInfo).port}`], timeoutMs: 2000, tries: 1, fallback: async () => [] });
    expect(await lookup('shop.example', 'TXT')).toEqual({ records: [['v=spf1 -all']], ttlSeconds: 300 });
  });

  it('takes only the records on the CNAME chain from the name asked, whatever else the answer carries', async () => {
    const dns = await dnsServer((name) => ({
      answers: [
        { type: 'CNAME', name: name.toUpperCase(), ttl: 100, data: 'dmarc.host.example' },
        { type: 'TXT', name: 'dmarc.host.example', ttl: 50, data: ['v=DMARC1; p=reject'] },
        { type: 'TXT', name: 'unrelated.example', ttl: 5, data: ['v=DMARC1; p=none'] },
      ],
    }));
    servers.push(dns);
    const lookup = wireLookup({ servers: [dns.server], timeoutMs: 2000, tries: 1, fallback: async () => [] });
    expect(await lookup('_dmarc.shop.example', 'TXT')).toEqual({ records: [['v=DMARC1; p=reject']], ttlSeconds: 50 });
  });

  it('asks the next server when one refuses or fails (several servers in resolv.conf), each of them', async () => {
    const refusing = await dnsServer(() => ({ rcode: 'REFUSED' }));
    const failing = await dnsServer(() => ({ rcode: 'SERVFAIL' }));
    const good = await dnsServer((name) => ({ answers: [{ type: 'TXT', name, ttl: 60, data: ['v=spf1 -all'] }] }));
    servers.push(refusing, failing, good);
    const lookup = wireLookup({ servers: [refusing.server, failing.server, good.server], timeoutMs: 2000, tries: 2, fallback: async () => [] });
    expect(await lookup('shop.example', 'TXT')).toEqual({ records: [['v=spf1 -all']], ttlSeconds: 60 });
    const onlyBad = wireLookup({ servers: [refusing.server, failing.server], timeoutMs: 2000, tries: 1, fallback: async () => [] });
    await expect(onlyBad('shop.example', 'TXT')).rejects.toMatchObject({ code: 'ESERVFAIL' });
  });

  it('asks a server with an IPv6 address, as node:dns lists it ("[::1]:port")', async () => {
    const dns = await dnsServer((name) => ({ answers: [{ type: 'TXT', name, ttl: 60, data: ['over v6'] }] }), 'udp6');
    servers.push(dns);
    const resolve = systemResolver(2000, {}, { maxTtlSeconds: 300, maxEntries: 100 }, [dns.server]);
    expect(await resolve('shop.example', 'TXT')).toEqual([['over v6']]);
  });

  it('asks a truncated answer again over TCP from the same server, keeping its TTL', async () => {
    const dns = await dnsServer(() => ({ truncated: true }));
    servers.push(dns);
    const port = Number(dns.server.split(':')[1]);
    const tcp = createServer((c) => {
      let got = Buffer.alloc(0);
      c.on('data', (d: Buffer) => {
        got = Buffer.concat([got, d]);
        if (got.length < 2 || got.length < 2 + got.readUInt16BE(0)) return;
        const q = packet.decode(got.subarray(2));
        const question = q.questions?.[0] as packet.Question;
        const long = 'p=' + 'A'.repeat(600);
        c.end(
          packet.streamEncode({
            type: 'response',
            id: q.id,
            flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE,
            questions: [question],
            answers: [{ type: 'TXT', name: question.name, ttl: 42, data: [long.slice(0, 255), long.slice(255, 510), long.slice(510)] }],
          } as packet.Packet),
        );
      });
    });
    await new Promise<void>((r) => tcp.listen(port, '127.0.0.1', () => r()));
    servers.push({ close: () => tcp.close() });
    let fallbacks = 0;
    const lookup = wireLookup({ servers: [dns.server], timeoutMs: 2000, tries: 1, fallback: async () => (fallbacks++, []) });
    const got = await lookup('s1._domainkey.shop.example', 'TXT');
    expect(got.ttlSeconds).toBe(42);
    expect((got.records[0] as string[]).join('')).toBe('p=' + 'A'.repeat(600));
    expect(fallbacks).toBe(0);
  });
});
