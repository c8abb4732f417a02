// Owns where webhooks may go. The owner and the API token register endpoints, and a marketplace on
// the same host or network is the usual case, so loopback and private addresses are allowed. Never
// allowed: link-local addresses (169.254.0.0/16, fe80::/10 — where cloud metadata services answer,
// 169.254.169.254), the metadata services that answer elsewhere (AWS's fd00:ec2::254 and
// fd00:ec2::23, Google Cloud's fd20:ce::254, Scaleway's fd00:42::42, Alibaba Cloud's
// 100.100.100.200), the unspecified address, multicast and broadcast: no
// receiver lives there, and a POST there can only be an attack on the host. Checked on the literal
// address when the endpoint is registered, and on every address a name resolves to when a delivery
// connects (so a name that resolves there, or starts to later, is refused too). Redirects are never
// followed (webhook-sender.ts).
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

const blocked = new BlockList();
blocked.addSubnet('169.254.0.0', 16, 'ipv4');
blocked.addSubnet('0.0.0.0', 8, 'ipv4');
blocked.addSubnet('224.0.0.0', 4, 'ipv4');
blocked.addAddress('255.255.255.255', 'ipv4');
blocked.addSubnet('fe80::', 10, 'ipv6');
blocked.addSubnet('ff00::', 8, 'ipv6');
blocked.addAddress('::', 'ipv6');
/**
 * Cloud metadata services outside the link-local ranges, each one address (its neighbours in a
 * unique local or shared 100.64.0.0/10 network may be a marketplace's receivers): AWS (with its
 * EKS Pod Identity Agent), Google Cloud and Scaleway over IPv6, Alibaba Cloud over IPv4.
 */
const metadata = new BlockList();
metadata.addAddress('fd00:ec2::254', 'ipv6');
metadata.addAddress('fd00:ec2::23', 'ipv6'); // AWS EKS Pod Identity Agent: it hands out credentials
metadata.addAddress('fd20:ce::254', 'ipv6');
metadata.addAddress('fd00:42::42', 'ipv6'); // Scaleway
metadata.addAddress('100.100.100.200', 'ipv4');

/**
 * The IPv4 address an IPv6 address carries and that a translator or tunnel would reach: IPv4-mapped
 * (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96), IPv4-compatible (::/96, deprecated), NAT64
 * (64:ff9b::/96, RFC 6052) and 6to4 (2002::/16, the IPv4 address in bits 16-48); null otherwise.
 */
function embeddedIPv4(ip: ipaddr.IPv6): string | null {
  const p = ip.parts;
  const tail = () => [p[6]! >> 8, p[6]! & 255, p[7]! >> 8, p[7]! & 255].join('.');
  const zeros = (from: number, to: number) => p.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && p[5] === 0xffff) return tail();
  // IPv4-compatible; ::/112 (:: and ::1 among them) carries no IPv4 address anyone reaches.
  if (zeros(0, 6) && p[6] !== 0) return tail();
  if (zeros(0, 4) && p[4] === 0xffff && p[5] === 0) return tail();
  if (p[0] === 0x64 && p[1] === 0xff9b && zeros(2, 6)) return tail();
  if (p[0] === 0x2002) return [p[1]! >> 8, p[1]! & 255, p[2]! >> 8, p[2]! & 255].join('.');
  return null;
}

/** Why a webhook may not go to `address` (an IP), or null when it may. An IPv4 address inside IPv6 (embeddedIPv4) is checked as IPv4 too. */
export function forbiddenAddress(address: string): string | null {
  const ip = address.replace(/^\[|\]$/g, '');
  const family = isIP(ip);
  if (family === 0) return null;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  let hit = blocked.check(ip, type);
  let service = metadata.check(ip, type);
  if (!hit && !service && family === 6) {
    const v4 = embeddedIPv4(ipaddr.IPv6.parse(ip.replace(/%.*$/, '')));
    if (v4) {
      hit = blocked.check(v4, 'ipv4');
      service = metadata.check(v4, 'ipv4');
    }
  }
  if (service) return `${address} is a cloud metadata service's address, not a webhook receiver`;
  return hit ? `${address} is a link-local, unspecified, multicast or broadcast address (cloud metadata services live there), not a webhook receiver` : null;
}

/** The problem with a webhook URL's host as written (an IP literal in a forbidden range), or null. */
export function webhookHostProblem(url: URL): string | null {
  return forbiddenAddress(url.hostname);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup for delivery sockets, refusing a name that resolves to a forbidden address (error code `EADDRNOTALLOWED`). */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const list = addresses as LookupAddress[];
    const bad = list.map((a) => forbiddenAddress(a.address)).find((p) => p !== null);
    if (bad) {
      const e: NodeJS.ErrnoException = new Error(`${hostname} resolves to ${bad}`);
      e.code = 'EADDRNOTALLOWED';
      return callback(e, '');
    }
    if (options.all) return callback(null, list);
    const first = list[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
    callback(null, first.address, first.family);
  });
}
