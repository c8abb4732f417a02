// Owns where webhooks may go. The owner and the API token register endpoints, and a marketplace on
// the same host or network is the usual case, so loopback and private addresses are allowed. Never
// allowed: link-local addresses (169.254.0.0/16, fe80::/10 — where cloud metadata services answer,
// 169.254.169.254, plus AWS's fd00:ec2::254), the unspecified address, multicast and broadcast: no
// receiver lives there, and a POST there can only be an attack on the host. Checked on the literal
// address when the endpoint is registered, and on every address a name resolves to when a delivery
// connects (so a name that resolves there, or starts to later, is refused too). Redirects are never
// followed (webhook-sender.ts).
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
blocked.addSubnet('169.254.0.0', 16, 'ipv4');
blocked.addSubnet('0.0.0.0', 8, 'ipv4');
blocked.addSubnet('224.0.0.0', 4, 'ipv4');
blocked.addAddress('255.255.255.255', 'ipv4');
blocked.addSubnet('fe80::', 10, 'ipv6');
blocked.addSubnet('ff00::', 8, 'ipv6');
blocked.addAddress('::', 'ipv6');
blocked.addAddress('fd00:ec2::254', 'ipv6');

/** Why a webhook may not go to `address` (an IP), or null when it may. IPv4-mapped IPv6 is read as IPv4. */
export function forbiddenAddress(address: string): string | null {
  const ip = address.replace(/^\[|\]$/g, '');
  const family = isIP(ip);
  if (family === 0) return null;
  const mapped = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(ip);
  const v4 = mapped
    ? (mapped[1] ?? [parseInt(mapped[2]!, 16) >> 8, parseInt(mapped[2]!, 16) & 255, parseInt(mapped[3]!, 16) >> 8, parseInt(mapped[3]!, 16) & 255].join('.'))
    : null;
  const hit = v4 ? blocked.check(v4, 'ipv4') : blocked.check(ip, family === 4 ? 'ipv4' : 'ipv6');
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
