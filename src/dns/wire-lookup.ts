// Owns asking a DNS server directly (UDP, dns-packet for the wire format), so every answer comes
// with the TTL DNS gave it: node:dns tells TTLs for A and AAAA only, and the cache (dns-cache.ts)
// must keep TXT (SPF, DMARC, DKIM keys) and MX answers no longer than theirs either. Negative answers
// carry their TTL too (RFC 2308 §5: the SOA record's TTL, at most its minimum field). An answer too
// large for UDP (TC bit) is asked again over TCP from the same server (RFC 7766), TTLs kept; only if
// that fails, through `fallback` (node:dns), whose answer has no TTL.
import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { connect, isIPv6 } from 'node:net';
import * as packet from 'dns-packet';
import type { TtlResolver } from './dns-cache.js';

type Answer = packet.Answer;

export interface WireOptions {
  /** DNS servers as node:dns lists them ("10.0.0.53", "[::1]:5353", "127.0.0.1:5353"). */
  readonly servers: readonly string[];
  /** Per try, ms. */
  readonly timeoutMs: number;
  /** Rounds over the servers (each asked once per round). */
  readonly tries: number;
  /** Asked when an answer is truncated. */
  readonly fallback: (name: string, rrtype: string) => Promise<unknown[]>;
}

const TYPES = new Set(['A', 'AAAA', 'TXT', 'MX', 'PTR', 'CNAME', 'NS']);

function server(spec: string): { host: string; port: number } {
  const bracket = /^\[(.+)\](?::(\d+))?$/.exec(spec);
  if (bracket) return { host: bracket[1] as string, port: Number(bracket[2] ?? 53) };
  if (isIPv6(spec)) return { host: spec, port: 53 };
  const [host, port] = spec.split(':');
  return { host: host as string, port: Number(port ?? 53) };
}

function dnsError(code: string, name: string, rrtype: string, ttlSeconds: number | null = null): Error {
  return Object.assign(new Error(`${rrtype} ${name}: ${code}`), { code, hostname: name, ttlSeconds });
}

/** Records of the asked type in node:dns shapes (TXT: string[][], MX: {exchange, priority}[], else strings). */
function shape(a: Answer): unknown {
  switch (a.type) {
    case 'TXT':
      return (Array.isArray(a.data) ? a.data : [a.data]).map((d) => (Buffer.isBuffer(d) ? d.toString('utf8') : String(d)));
    case 'MX':
      return { exchange: a.data.exchange, priority: a.data.preference };
    default:
      return 'data' in a ? a.data : null;
  }
}

/** RFC 2308 §5: a negative answer lives min(SOA TTL, SOA minimum); unknown without an SOA. */
function negativeTtl(response: packet.Packet): number | null {
  const soa = (response.authorities ?? []).find((r): r is Extract<Answer, { type: 'SOA' }> => r.type === 'SOA');
  return soa ? Math.min(soa.ttl ?? 0, soa.data.minimum ?? 0) : null;
}

/** A DNS name as compared: lower case, no trailing dot. */
function canonical(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** Decodes one response into records and TTL, or throws the error node:dns would (ENOTFOUND, ENODATA, ESERVFAIL…). */
export function readResponse(response: packet.Packet, name: string, rrtype: string): { records: unknown[]; ttlSeconds: number } {
  const rcode = (response as { rcode?: string }).rcode ?? 'NOERROR';
  if (rcode === 'NXDOMAIN') throw dnsError('ENOTFOUND', name, rrtype, negativeTtl(response));
  if (rcode !== 'NOERROR') throw dnsError(`E${rcode}`, name, rrtype);
  const answers = response.answers ?? [];
  // Only records about the name asked count, or about the names its CNAME chain leads to (RFC 1034
  // §3.6.2, names compared without case); anything else in the answer is ignored (cache poisoning).
  const chain = new Set([canonical(name)]);
  for (let grew = rrtype !== 'CNAME'; grew;) {
    grew = false;
    for (const a of answers) {
      if (a.type !== 'CNAME' || !chain.has(canonical(a.name)) || chain.has(canonical(a.data))) continue;
      chain.add(canonical(a.data));
      grew = true;
    }
  }
  const onChain = answers.filter((a) => chain.has(canonical(a.name)) && (a.type === rrtype || a.type === 'CNAME'));
  const records = onChain.filter((a) => a.type === rrtype);
  if (records.length === 0) throw dnsError('ENODATA', name, rrtype, negativeTtl(response));
  // The shortest TTL on the way (CNAMEs included) bounds the whole answer.
  const ttlSeconds = onChain.reduce((min, a) => Math.min(min, 'ttl' in a ? (a.ttl ?? 0) : min), Infinity);
  return { records: records.map(shape), ttlSeconds };
}

/** Whether `response` is the reply to this query: its id, and its question (names without case, RFC 4343). */
function answers(response: packet.Packet, id: number, question: packet.Question): boolean {
  if (response.id !== id || response.type !== 'response') return false;
  const asked = response.questions?.[0];
  return response.questions?.length === 1 && !!asked && asked.type === question.type && canonical(asked.name) === canonical(question.name);
}

/**
 * The same query over TCP (RFC 7766: a two-byte length before each message), for an answer that was
 * truncated over UDP; rejects on a timeout, a closed connection or a reply to another query.
 */
function askTcp(target: { host: string; port: number }, query: Buffer, id: number, question: packet.Question, timeoutMs: number): Promise<packet.Packet> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port });
    let got = Buffer.alloc(0);
    const done = (f: () => void) => {
      clearTimeout(timer);
      socket.destroy();
      f();
    };
    const fail = (message: string, code: string) => done(() => reject(Object.assign(new Error(message), { code })));
    const timer = setTimeout(() => fail('DNS timeout', 'ETIMEOUT'), timeoutMs);
    socket.on('error', (err) => done(() => reject(err)));
    socket.on('close', () => fail('DNS connection closed', 'ECONNREFUSED'));
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length < 2 || got.length < 2 + got.readUInt16BE(0)) return;
      let response: packet.Packet;
      try {
        response = packet.decode(got.subarray(2, 2 + got.readUInt16BE(0)));
      } catch {
        return fail('unreadable DNS reply', 'EBADRESP');
      }
      if (!answers(response, id, question)) return fail('DNS reply to another query', 'EBADRESP');
      done(() => resolve(response));
    });
    const length = Buffer.alloc(2);
    length.writeUInt16BE(query.length);
    socket.write(Buffer.concat([length, query]));
  });
}

function askOnce(target: { host: string; port: number }, query: Buffer, id: number, question: packet.Question, timeoutMs: number): Promise<packet.Packet> {
  return new Promise((resolve, reject) => {
    const socket: Socket = createSocket(isIPv6(target.host) ? 'udp6' : 'udp4');
    const done = (f: () => void) => {
      clearTimeout(timer);
      socket.close();
      f();
    };
    const timer = setTimeout(() => done(() => reject(Object.assign(new Error('DNS timeout'), { code: 'ETIMEOUT' }))), timeoutMs);
    socket.on('error', (err) => done(() => reject(err)));
    socket.on('message', (msg, from) => {
      // Only the server asked may answer (with the query's random id, on this query's own port).
      if (from.address !== target.host || from.port !== target.port) return;
      let response: packet.Packet;
      try {
        response = packet.decode(msg);
      } catch {
        return; // not an answer we can read: wait for another or the timeout
      }
      if (!answers(response, id, question)) return;
      done(() => resolve(response));
    });
    socket.send(query, target.port, target.host, (err) => {
      if (err) done(() => reject(err));
    });
  });
}

/** A TtlResolver asking `servers` over UDP; types it does not know go to `fallback` (no TTL). */
export function wireLookup(o: WireOptions): TtlResolver {
  const targets = o.servers.map(server);
  return async (name, rrtype) => {
    if (!TYPES.has(rrtype) || targets.length === 0) return { records: await o.fallback(name, rrtype), ttlSeconds: null };
    let last: unknown = dnsError('ETIMEOUT', name, rrtype);
    // Every server is asked in turn, `tries` rounds (as node:dns does with resolv.conf's list).
    for (let t = 0; t < o.tries * targets.length; t++) {
      const id = randomInt(0, 0x10000);
      const question: packet.Question = { type: rrtype as packet.RecordType, name };
      const query = packet.encode({
        type: 'query',
        id,
        flags: packet.RECURSION_DESIRED,
        questions: [question],
        // EDNS0 (RFC 6891): room for large TXT answers (DKIM keys, long SPF) without truncation.
        additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096 } as unknown as Answer],
      });
      const target = targets[t % targets.length] as { host: string; port: number };
      let response: packet.Packet;
      try {
        response = await askOnce(target, query, id, question, o.timeoutMs);
      } catch (err) {
        last = err;
        continue;
      }
      if ((response.flags ?? 0) & packet.TRUNCATED_RESPONSE) {
        // Asked again over TCP, from the same server (its TTLs kept); failing that, node:dns (no TTL).
        try {
          response = await askTcp(target, query, id, question, o.timeoutMs);
        } catch {
          return { records: await o.fallback(name, rrtype), ttlSeconds: null };
        }
      }
      // A server that refuses or fails says nothing about the name: the next one is asked.
      const rcode = (response as { rcode?: string }).rcode ?? 'NOERROR';
      if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') {
        last = dnsError(`E${rcode}`, name, rrtype);
        continue;
      }
      return readResponse(response, name, rrtype);
    }
    throw last;
  };
}
