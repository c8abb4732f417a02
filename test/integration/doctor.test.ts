// `maskgate doctor` against a fixed DNS zone (DNS is outside the machine): good records pass,
// broken ones fail with a sentence saying what to fix.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runDoctor } from '../../src/doctor.js';
import { staticResolver } from '../../src/dns/resolver.js';
import { ensureDkimKey } from '../../src/outbound/dkim.js';
import { openDb } from '../../src/store/db.js';
import { makeCert } from '../helpers/certs.js';

const dir = mkdtempSync(join(tmpdir(), 'maskgate-doctor-'));
// A certificate valid for 5 days: the doctor wants 14.
const { cert: certFile, key: keyFile } = makeCert(dir, 'mx', { days: 5, cn: 'mx.example.com' });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = loadConfig({
  env: {},
  overrides: {
    dataDir: join(dir, 'data'),
    domains: ['relay.example.com'],
    hostname: 'mx.example.com',
    outbound: { smarthost: 'smtp://smtp.provider.example:587' },
    admin: { publicUrl: 'https://mail.example.com' },
  },
});
const key = ensureDkimKey(config.dataDir, 'relay.example.com', 'maskgate');

const good = staticResolver({
  'relay.example.com': { MX: ['10 mx.example.com.'], TXT: ['v=spf1 mx include:provider.example ~all'] },
  'maskgate._domainkey.relay.example.com': { TXT: [`v=DKIM1; k=rsa; p=${key.publicKey}`] },
  '_dmarc.relay.example.com': { TXT: ['v=DMARC1; p=quarantine'] },
  'mx.example.com': { A: ['203.0.113.7'] },
  '7.113.0.203.in-addr.arpa': { PTR: ['mx.example.com.'] },
});
const broken = staticResolver({
  'relay.example.com': { MX: ['10 old-host.example.net.'] },
  'maskgate._domainkey.relay.example.com': { TXT: ['v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAstale'] },
  'mx.example.com': { A: ['203.0.113.7'] },
  '7.113.0.203.in-addr.arpa': { PTR: ['vps-123.provider.example.'] },
});

describe('maskgate doctor', () => {
  it('passes with good records, a reachable smarthost and a healthy database', async () => {
    const db = openDb(config.dataDir);
    try {
      const checks = await runDoctor({ config, db, resolver: good, dkimKey: key, reach: async () => true });
      expect(checks.filter((c) => c.result !== 'ok')).toEqual([
        { name: 'TLS certificate', result: 'warn', detail: expect.stringContaining('none configured') },
      ]);
      expect(checks.map((c) => c.name)).toEqual([
        'MX',
        'SPF',
        'DKIM',
        'DMARC',
        'Reverse DNS',
        'Smarthost',
        'TLS certificate',
        'Admin URL',
        'Free disk',
        'Database',
        'Queue',
      ]);
    } finally {
      db.close();
    }
  });

  it('says what to fix with broken records, an unreachable smarthost and a certificate about to expire', async () => {
    const withCert = loadConfig({ env: {}, overrides: { ...config, tls: { cert: certFile, key: keyFile } } as never });
    const db = openDb(config.dataDir);
    try {
      const checks = await runDoctor({ config: withCert, db, resolver: broken, dkimKey: key, reach: async () => false });
      const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
      expect(byName.MX).toMatchObject({ result: 'fail', detail: expect.stringContaining('publish "relay.example.com. MX 10 mx.example.com."') });
      expect(byName.SPF).toMatchObject({ result: 'fail' });
      expect(byName.DKIM).toMatchObject({ result: 'fail', detail: expect.stringContaining('different key') });
      expect(byName.DMARC).toMatchObject({ result: 'fail', detail: expect.stringContaining('publish the record from `maskgate dns`') });
      expect(byName['Reverse DNS']).toMatchObject({ result: 'fail', detail: expect.stringContaining('should point back at mx.example.com') });
      expect(byName.Smarthost).toMatchObject({ result: 'fail', detail: expect.stringContaining('cannot reach smtp.provider.example:587') });
      expect(byName['TLS certificate']).toMatchObject({ result: 'fail', detail: expect.stringMatching(/valid for [45] more day\(s\): renew it now/) });
      expect(byName.Database).toMatchObject({ result: 'ok' });
    } finally {
      db.close();
    }
  });

  it('warns when links in mail would point at the listener (no admin.publicUrl) or are not HTTPS', async () => {
    const db = openDb(config.dataDir);
    try {
      const adminUrl = async (publicUrl: string | null) => {
        const c = loadConfig({ env: {}, overrides: { ...config, admin: { ...config.admin, publicUrl } } as never });
        return (await runDoctor({ config: c, db, resolver: good, dkimKey: key, reach: async () => true })).find((x) => x.name === 'Admin URL');
      };
      expect(await adminUrl(null)).toMatchObject({
        result: 'warn',
        detail: expect.stringMatching(/^admin\.publicUrl is not set: .*unsubscribe.* http:\/\/127\.0\.0\.1:8080.*MASKGATE_ADMIN_URL/),
      });
      expect(await adminUrl('http://mail.example.com')).toMatchObject({ result: 'warn', detail: expect.stringContaining('not HTTPS') });
      expect(await adminUrl('https://mail.example.com')).toMatchObject({ result: 'ok' });
    } finally {
      db.close();
    }
  });
});
