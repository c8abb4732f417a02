// Owns DKIM for the relay domain: the key is generated on first start and kept in the data dir
// (0600); every outgoing message is signed last, on the exact bytes we store and send (signing
// happens before the commit, so the outbox holds the signed bytes and nothing changes them after).
// The DNS records to publish are derived here too.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dkimSign } from 'mailauth';

export interface DkimKey {
  readonly domain: string;
  readonly selector: string;
  readonly privateKeyPem: string;
  /** base64 DER SubjectPublicKeyInfo, the p= of the DNS record */
  readonly publicKey: string;
}

export function ensureDkimKey(dataDir: string, domain: string, selector: string): DkimKey {
  const dir = join(dataDir, 'dkim');
  const file = join(dir, `${domain}.${selector}.pem`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  }
  const privateKeyPem = readFileSync(file, 'utf8');
  const publicKey = createPublicKey(privateKeyPem).export({ type: 'spki', format: 'der' }).toString('base64');
  return { domain, selector, privateKeyPem, publicKey };
}

// Headers a replay or a forwarder must not be able to change or add unnoticed; listed twice
// where one would be enough to detect an added copy (oversigning).
const SIGNED_HEADERS = [
  'from',
  'from',
  'to',
  'reply-to',
  'reply-to',
  'subject',
  'subject',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'auto-submitted',
];

export type Signer = (raw: Buffer) => Promise<Buffer>;

export function dkimSigner(key: DkimKey): Signer {
  return async (raw) => {
    // mailauth 4.x takes the keys in signatureData; top-level key fields alone sign nothing.
    const result = await dkimSign(raw, {
      signingDomain: key.domain,
      selector: key.selector,
      privateKey: key.privateKeyPem,
      canonicalization: 'relaxed/relaxed',
      algorithm: 'rsa-sha256',
      headerList: SIGNED_HEADERS,
      signatureData: [
        { signingDomain: key.domain, selector: key.selector, privateKey: key.privateKeyPem, canonicalization: 'relaxed/relaxed', algorithm: 'rsa-sha256' },
      ],
    });
    if (result.errors.length) throw new Error(`DKIM signing failed: ${result.errors[0]?.message}`);
    if (!result.signatures.includes('DKIM-Signature:')) throw new Error('DKIM signing produced no signature');
    return Buffer.concat([Buffer.from(result.signatures), raw]);
  };
}

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
