// Owns how a connecting client is counted by every per-client limit (SMTP probing and connections,
// role mail, login and AUTH throttling): an IPv4 address as it is, an IPv6 address as its /64.
// One host (a home line, a VM) is given a whole /64 (RFC 6177, RFC 7421) and may use any address
// in it, so counting per IPv6 address lets it rotate past every per-client limit.
// ipaddr.js reads the address: IPv6 is written many ways (zero compression, upper case, a zone id,
// an embedded IPv4 tail), and a dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d, which
// must stay one key per IPv4 address rather than all fall into ::/64 together.
import ipaddr from 'ipaddr.js';

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * The key a client is counted under: `a.b.c.d` for IPv4 (also when written IPv4-mapped,
 * `::ffff:a.b.c.d`), `2001:db8:1:2::/64` for IPv6 (the first four groups, lower case, zone id
 * dropped). A key passed in again is returned unchanged; text that is no address (a test double,
 * a proxy's garbage) is returned trimmed and lower-cased, so it still counts as itself.
 */
export function clientKey(address: string): string {
  if (IPV4.test(address)) return address;
  const text = address.trim().toLowerCase();
  if (text.endsWith('::/64')) return text;
  const bare = text.replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(bare)) return text;
  const ip = ipaddr.process(bare);
  if (ip.kind() === 'ipv4') return ip.toString();
  const head = (ip as ipaddr.IPv6).parts.slice(0, 4).map((g) => g.toString(16));
  return `${head.join(':')}::/64`;
}
