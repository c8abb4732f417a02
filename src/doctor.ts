// Owns `maskgate doctor`: looks at the real DNS and the running config and says, line by line,
// what is right and what to fix. Exit code 1 when anything fails, so it can run from cron.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { AppConfig } from './config.js';
import { txtRecords, type DnsResolver } from './dns/resolver.js';
import type { DkimKey } from './outbound/dkim.js';
import { FreeSpace } from './smtp/free-space.js';
import type { Db } from './store/db.js';
import type { OperationsStore } from './store/ports.js';
import { sqliteAdmin } from './store/sqlite/admin.js';

export interface Check {
  readonly name: string;
  readonly result: 'ok' | 'warn' | 'fail';
  readonly detail: string;
}

export interface DoctorDeps {
  readonly config: AppConfig;
  /** The SQLite file (the CLI, a SQLite gateway); or give `operations`. */
  readonly db?: Db;
  /** The database's check and the queue through the admin port (a PostgreSQL node checks PostgreSQL, not a file). */
  readonly operations?: Pick<OperationsStore, 'databaseCheck' | 'queue'>;
  readonly resolver: DnsResolver;
  readonly dkimKey: DkimKey | null;
  readonly now?: number;
  /** Opens a TCP connection; resolves true when it connects within the timeout. */
  readonly reach?: (host: string, port: number) => Promise<boolean>;
}

function tcpReach(host: string, port: number, timeoutMs = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const norm = (name: string) => name.toLowerCase().replace(/\.$/, '');

async function lookup<T>(fn: () => Promise<T>): Promise<T | 'none' | { error: string }> {
  try {
    return await fn();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'NXDOMAIN') return 'none';
    return { error: code ?? (err as Error).message };
  }
}

export async function runDoctor(d: DoctorDeps): Promise<Check[]> {
  const { config, resolver } = d;
  const now = d.now ?? Date.now();
  const domain = config.domains[0] as string;
  const host = norm(config.hostname);
  const checks: Check[] = [];
  const add = (name: string, result: Check['result'], detail: string) => checks.push({ name, result, detail });

  const mx = await lookup(() => resolver(domain, 'MX'));
  if (Array.isArray(mx) && mx.some((r) => norm((r as { exchange: string }).exchange) === host)) add('MX', 'ok', `${domain} MX points at ${host}`);
  else if (typeof mx === 'object' && !Array.isArray(mx)) add('MX', 'fail', `lookup of ${domain} MX failed (${mx.error})`);
  else add('MX', 'fail', `${domain} has no MX pointing at ${host}: publish "${domain}. MX 10 ${host}."`);

  const txt = await lookup(() => txtRecords(resolver, domain));
  const spf = Array.isArray(txt) ? txt.find((t) => /^v=spf1(\s|$)/i.test(t)) : undefined;
  if (!spf) add('SPF', 'fail', `${domain} publishes no SPF record: publish "v=spf1 mx ~all" (plus your smarthost's include)`);
  else if (/\s(mx|a)(\s|$)|ip[46]:|include:/i.test(spf)) add('SPF', 'ok', `${domain}: ${spf}`);
  else add('SPF', 'warn', `${domain}: ${spf} names no mx, a, ip or include: is this host allowed to send?`);

  if (d.dkimKey) {
    const name = `${d.dkimKey.selector}._domainkey.${domain}`;
    const dkim = await lookup(() => txtRecords(resolver, name));
    const p = Array.isArray(dkim) ? dkim.map((t) => /(?:^|;)\s*p=([A-Za-z0-9+/=]+)/.exec(t.replace(/\s+/g, ''))?.[1]).find(Boolean) : undefined;
    if (p === d.dkimKey.publicKey) add('DKIM', 'ok', `${name} matches the key in use`);
    else if (p) add('DKIM', 'fail', `${name} publishes a different key than the one in use: publish the record from \`maskgate dns\``);
    else add('DKIM', 'fail', `${name} publishes no key: publish the record from \`maskgate dns\``);
  } else add('DKIM', 'warn', 'DKIM signing is off (dkim.enabled)');

  const dmarc = await lookup(() => txtRecords(resolver, `_dmarc.${domain}`));
  const dmarcRecord = Array.isArray(dmarc) ? dmarc.find((t) => /^v=DMARC1/i.test(t)) : undefined;
  add(
    'DMARC',
    dmarcRecord ? 'ok' : 'fail',
    dmarcRecord ? `_dmarc.${domain}: ${dmarcRecord}` : `_dmarc.${domain} publishes no DMARC record: publish the record from \`maskgate dns\``,
  );

  // Reverse DNS: the host name's address must point back at the host name (what HELO says).
  const a = await lookup(() => resolver(host, 'A'));
  const ip = Array.isArray(a) ? (a[0] as string | undefined) : undefined;
  if (!ip) add('Reverse DNS', 'fail', `${host} has no A record, so nothing can match its reverse DNS`);
  else {
    const ptr = await lookup(() => resolver(ip.split('.').reverse().join('.') + '.in-addr.arpa', 'PTR'));
    const names = Array.isArray(ptr) ? (ptr as string[]).map(norm) : [];
    add(
      'Reverse DNS',
      names.includes(host) ? 'ok' : 'fail',
      names.includes(host) ? `${ip} points back at ${host}` : `${ip} should point back at ${host} (ask your VPS provider to set the PTR)`,
    );
  }

  if (config.outbound.smarthost) {
    const url = new URL(config.outbound.smarthost);
    const port = Number(url.port || (url.protocol === 'smtps:' ? 465 : 25));
    const ok = await (d.reach ?? tcpReach)(url.hostname, port);
    add(
      'Smarthost',
      ok ? 'ok' : 'fail',
      ok ? `${url.hostname}:${port} is reachable` : `cannot reach ${url.hostname}:${port} from this host (firewall, or the provider blocks outbound SMTP)`,
    );
  } else add('Smarthost', 'warn', 'no smarthost: outbound mail is captured, not sent');

  if (config.tls.cert) {
    try {
      const cert = new X509Certificate(readFileSync(config.tls.cert));
      const days = Math.floor((Date.parse(cert.validTo) - now) / 86_400_000);
      add(
        'TLS certificate',
        days < 0 ? 'fail' : days < 14 ? 'fail' : 'ok',
        days < 0 ? `expired ${-days} day(s) ago` : `valid for ${days} more day(s)${days < 14 ? ': renew it now' : ''}`,
      );
    } catch (err) {
      add('TLS certificate', 'fail', `cannot read ${config.tls.cert}: ${(err as Error).message}`);
    }
  } else add('TLS certificate', 'warn', 'none configured: no STARTTLS, and the submission port stays closed');

  // Links that leave in mail (campaign unsubscribe, notifications, mailbox confirmations) are built on admin.publicUrl.
  const publicUrl = config.admin.publicUrl;
  if (!publicUrl) {
    add(
      'Admin URL',
      'warn',
      `admin.publicUrl is not set: the unsubscribe links in campaign mail, notification links and mailbox confirmations point at http://${config.http.host}:${config.http.port}, which recipients cannot open; set it (MASKGATE_ADMIN_URL) to the HTTPS address of the admin`,
    );
  } else if (!publicUrl.startsWith('https://')) {
    add('Admin URL', 'warn', `${publicUrl} is not HTTPS: mail providers offer one-click unsubscribe only for an HTTPS link`);
  } else add('Admin URL', 'ok', `links in mail use ${publicUrl}`);

  const free = new FreeSpace(config.dataDir).bytes(now);
  const need = 10 * config.smtp.maxMessageBytes;
  add(
    'Free disk',
    free >= need ? 'ok' : 'fail',
    `${Math.floor(free / 1048576)} MB free under ${config.dataDir}${free >= need ? '' : ` (keep at least ${Math.floor(need / 1048576)} MB)`}`,
  );

  const ops = d.operations ?? (d.db ? sqliteAdmin(d.db).operations : null);
  if (!ops) throw new Error('runDoctor: give db or operations');
  const database = await ops.databaseCheck();
  add('Database', database.ok ? 'ok' : 'fail', database.detail);

  const { waiting, oldestAgeSeconds: age } = await ops.queue(now);
  add(
    'Queue',
    age < 3600 ? 'ok' : 'fail',
    `${waiting} waiting, oldest ${Math.floor(age / 60)} min${age < 3600 ? '' : ': deliveries are stuck (see the outbox)'}`,
  );
  return checks;
}

export function formatChecks(checks: readonly Check[]): string {
  const mark = { ok: '✓', warn: '!', fail: '✗' } as const;
  return checks.map((c) => `${mark[c.result]} ${c.name.padEnd(16)} ${c.detail}`).join('\n') + '\n';
}
