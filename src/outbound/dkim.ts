// Owns DKIM for the relay domain: the key is generated on first start and kept in the database
// (settings, shared by every node; a key file of an older version is imported once); every
// outgoing message is signed last, on the exact bytes we store and send (signing
// happens before the commit, so the outbox holds the signed bytes and nothing changes them after).
// The DNS records to publish are derived here too. The signing itself (dkim-sign.ts) runs on the
// relay's pool threads (relay/work-pool.ts), next to the composing.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretStore } from '../store/ports.js';

export interface DkimKey {
  readonly domain: string;
  readonly selector: string;
  readonly privateKeyPem: string;
  /** base64 DER SubjectPublicKeyInfo, the p= of the DNS record */
  readonly publicKey: string;
}

/**
 * The DKIM key from the database (shared by every node): the stored one; on the first start after
 * an upgrade, the key file an older version wrote to `<dataDir>/dkim/<domain>.<selector>.pem` is
 * imported once (so the published DNS record stays valid; the file is left in place); otherwise a
 * new RSA 2048 key. Nodes starting together all end up with the one key that was stored first.
 */
export async function loadDkimKey(secrets: SecretStore, dataDir: string, domain: string, selector: string): Promise<DkimKey> {
  const file = join(dataDir, 'dkim', `${domain}.${selector}.pem`);
  const imported = existsSync(file) ? readFileSync(file, 'utf8') : null;
  return dkimKeyOf(await secrets.dkimKey(domain, selector, imported), domain, selector);
}

/** The key with its public half (DER SubjectPublicKeyInfo, base64, as the DNS record's p= wants). */
function dkimKeyOf(privateKeyPem: string, domain: string, selector: string): DkimKey {
  const publicKey = createPublicKey(privateKeyPem).export({ type: 'spki', format: 'der' }).toString('base64');
  return { domain, selector, privateKeyPem, publicKey };
}

/** The file-kept key of versions before the key moved into the database (test fixtures for the upgrade path). */
export function ensureDkimKey(dataDir: string, domain: string, selector: string): DkimKey {
  const dir = join(dataDir, 'dkim');
  const file = join(dir, `${domain}.${selector}.pem`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  }
  return dkimKeyOf(readFileSync(file, 'utf8'), domain, selector);
}

// Headers a replay or a forwarder must not be able to change or add unnoticed, in the order they
// go into h=. Each is signed as many times as it occurs; those in OVERSIGNED get one more (empty)
// entry, so a copy added later breaks the signature (RFC 6376 §5.4.2, §8.15). RFC 8058 §4: both
// List-Unsubscribe headers MUST be covered, or receivers will not offer one-click unsubscribe.
export const SIGNED_HEADERS = [
  'from',
  'reply-to',
  'subject',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'to',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'auto-submitted',
] as const;
export const OVERSIGNED: readonly string[] = ['from', 'reply-to', 'subject', 'list-unsubscribe', 'list-unsubscribe-post'];

import type { Signer } from '../relay/outbox-entry.js';

export type { Signer };

export const unsigned: Signer = async (raw) => raw;

export interface DnsRecord {
  readonly type: 'MX' | 'TXT';
  readonly name: string;
  readonly value: string;
  readonly purpose: string;
}

export function dnsRecords(domain: string, hostname: string, key: DkimKey | null): DnsRecord[] {
  const records: DnsRecord[] = [
    { type: 'MX', name: domain, value: `10 ${hostname}.`, purpose: 'mail for the relay domain reaches this gateway' },
    { type: 'TXT', name: domain, value: 'v=spf1 mx ~all', purpose: 'SPF: add include:<your smarthost> when mail leaves through one' },
    { type: 'TXT', name: `_dmarc.${domain}`, value: `v=DMARC1; p=quarantine; adkim=s; aspf=r; rua=mailto:postmaster@${domain}`, purpose: 'DMARC' },
  ];
  if (key) {
    records.splice(2, 0, {
      type: 'TXT',
      name: `${key.selector}._domainkey.${domain}`,
      value: `v=DKIM1; k=rsa; p=${key.publicKey}`,
      purpose: 'DKIM public key',
    });
  }
  return records;
}
