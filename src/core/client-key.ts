// Owns how a connecting client is counted by every per-client limit (SMTP probing and connections,
// role mail, login and AUTH throttling): an IPv4 address as it is, an IPv6 address as its /64.
// One host (a home line, a VM) is given a whole /64 (RFC 6177, RFC 7421) and may use any address
// in it, so counting per IPv6 address lets it rotate past every per-client limit.
// ipaddr.js reads the address: IPv6 is written many ways (zero compression, upper case, a zone id,
// an embedded IPv4 tail), and a dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d, which
// must stay one key per IPv4 address rather than all fall into ::/64 together.
// A socket always gives an address; login throttling takes the client from a trusted proxy's
// X-Forwarded-For instead, which may carry a port, a range (the way a key itself is written) or no
// address at all. A range within one client is that client; whatever names no single client is
// counted as one client, UNKNOWN_CLIENT: counted each as itself, every new text was a fresh count.
import ipaddr from 'ipaddr.js';

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The one key of every text that names no single client (also what web/client-address.ts says without a socket). */
export const UNKNOWN_CLIENT = 'unknown';

/**
 * The key a client is counted under: `a.b.c.d` for IPv4 (also when written IPv4-mapped,
 * `::ffff:a.b.c.d`, or with a port, `a.b.c.d:port`), `2001:db8:1:2::/64` for IPv6 (the first four
 * groups, lower case, zone id dropped; also `[…]:port`). A range is the key of its address when it
 * holds one client only (IPv4 /32, IPv6 /64 to /128), so a key passed in again, however it is
 * written, is the same key. Anything else (a wider range, a proxy's garbage, no address) is
 * UNKNOWN_CLIENT.
 */
export function clientKey(address: string): string {
  if (IPV4.test(address)) return address;
  const text = address.trim().toLowerCase();
  const range = /^(.+)\/(\d{1,3})$/.exec(text);
  if (range) {
    const ip = parse(range[1] as string);
    const bits = Number(range[2]);
    if (!ip) return UNKNOWN_CLIENT;
    const one = ip.kind() === 'ipv4' ? bits === 32 : (ip as ipaddr.IPv6).isIPv4MappedAddress() ? bits === 128 : bits >= 64 && bits <= 128;
    return one ? keyOf(ip) : UNKNOWN_CLIENT;
  }
  // With a port: a.b.c.d:port, or [IPv6]:port (without brackets the port reads as the last group).
  const port = /^(\d{1,3}(?:\.\d{1,3}){3}|\[[^\]]+\]):\d{1,5}$/.exec(text);
  const ip = parse(port ? (port[1] as string) : text);
  return ip ? keyOf(ip) : UNKNOWN_CLIENT;
}

/** The address in `text` (brackets and an IPv6 zone allowed), or null. */
function parse(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  // The zone (after %) is no part of the address. Node writes a link-local peer's zone as its
  // interface's name (fe80::1%br-3f2a9c1d, fe80::1%eth0.100), and ipaddr.js reads letters and digits only.
  const bare = text.replace(/^\[(.*)\]$/, '$1').replace(/^([^%]*:[^%]*)%.+$/, '$1');
  return ipaddr.isValid(bare) ? ipaddr.parse(bare) : null;
}

function keyOf(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  const ip = address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? (address as ipaddr.IPv6).toIPv4Address() : address;
  if (ip.kind() === 'ipv4') return ip.toString();
  const head = (ip as ipaddr.IPv6).parts.slice(0, 4).map((g) => g.toString(16));
  return `${head.join(':')}::/64`;
}
