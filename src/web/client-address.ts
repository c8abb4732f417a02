// Owns who is on the other end of an HTTP request: the socket's peer, or — only when that peer is one
// of the configured `http.trustedProxies` — the client the proxy names in X-Forwarded-For, and the
// scheme and host it reports (X-Forwarded-Proto, X-Forwarded-Host). From anyone else those headers
// are the client's own words and are ignored (proxy-addr, Express's well-kept implementation).
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

export interface Client {
  /** The real client's IP address (IPv4-mapped IPv6 made plain); `unknown` without a socket (in-process requests). */
  readonly address: string;
  /** The socket peer is a trusted proxy: its X-Forwarded-Proto and X-Forwarded-Host count. */
  readonly viaTrustedProxy: boolean;
}

export type TrustProxy = (addr: string, hop: number) => boolean;

/** Compiles `http.trustedProxies` (addresses, CIDR ranges, or `loopback`/`linklocal`/`uniquelocal`); throws on a bad entry. */
export function compileTrustedProxies(list: readonly string[]): TrustProxy {
  return proxyaddr.compile([...list]);
}

/** Whether `list` is a valid `http.trustedProxies` value; the problem in words otherwise. */
export function trustedProxiesProblem(list: readonly string[]): string | null {
  try {
    compileTrustedProxies(list);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

const plain = (addr: string) => (addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr);

export function clientOf(incoming: IncomingMessage | undefined, trust: TrustProxy): Client {
  const peer = incoming?.socket?.remoteAddress;
  if (!incoming || !peer) return { address: 'unknown', viaTrustedProxy: false };
  return { address: plain(proxyaddr(incoming, trust)), viaTrustedProxy: trust(peer, 0) };
}
