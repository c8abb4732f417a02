// Owns DKIM for the relay domain: the key is generated on first start and kept in the data dir
// (0600); every outgoing message is signed last, on the exact bytes we store and send (signing
// happens before the commit, so the outbox holds the signed bytes and nothing changes them after).
// The DNS records to publish are derived here too.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const requireHere = createRequire(import.meta.url);

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

function signOptions(key: DkimKey) {
  // mailauth 4.x takes the keys in signatureData; top-level key fields alone sign nothing.
  return {
    signingDomain: key.domain,
    selector: key.selector,
    privateKey: key.privateKeyPem,
    canonicalization: 'relaxed/relaxed',
    algorithm: 'rsa-sha256',
    signatureData: [
      { signingDomain: key.domain, selector: key.selector, privateKey: key.privateKeyPem, canonicalization: 'relaxed/relaxed', algorithm: 'rsa-sha256' },
    ],
  };
}

function withSignature(signatures: string, raw: Buffer): Buffer {
  if (!signatures.includes('DKIM-Signature:')) throw new Error('DKIM signing produced no signature');
  return Buffer.concat([Buffer.from(signatures), raw]);
}

// The signing thread: plain CommonJS (no TypeScript), so it runs the same from source, from the
// build and under the test runner. It loads mailauth's signer by absolute path and gets the signing
// options once. mailauth parses the PEM key for every signature (a sixth of the thread's time), so
// the thread keeps the parsed key of the one PEM it signs with.
const THREAD_CODE = `
const crypto = require('node:crypto');
const { parentPort, workerData } = require('node:worker_threads');
const parse = crypto.createPrivateKey;
let parsed = null;
crypto.createPrivateKey = function (opts) {
  const pem = opts && opts.format === 'pem' && Buffer.isBuffer(opts.key) ? opts.key.toString('latin1') : null;
  if (pem === null) return parse.apply(this, arguments);
  if (!parsed || parsed.pem !== pem) parsed = { pem, key: parse(opts) };
  return parsed.key;
};
// mailauth signs each listed header once and ignores an array headerList (it then signs its own
// default list); our h= comes from SIGNED_HEADERS with oversigning, chosen here before the signer
// module takes its copy of the function. Verification (the main thread) is untouched.
const tools = require(workerData.tools);
const pick = tools.getSigningHeaderLines;
tools.getSigningHeaderLines = function (parsed, names, verify) {
  if (verify) return pick.apply(this, arguments);
  const keys = [];
  const headers = [];
  for (const name of workerData.signed) {
    for (let i = parsed.length - 1; i >= 0; i--) {
      if (parsed[i].key !== name) continue;
      keys.push(parsed[i].casedKey);
      headers.push(parsed[i]);
    }
    if (workerData.oversigned.includes(name)) keys.push(name.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()));
  }
  return { keys: keys.join(': '), headers };
};
const { dkimSign } = require(workerData.module);
const options = workerData.options;
parentPort.on('message', ({ id, raw }) => {
  dkimSign(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), options).then(
    (r) => parentPort.postMessage({ id, signatures: r.signatures, error: r.errors.length ? String((r.errors[0] && r.errors[0].message) || r.errors[0]) : null }),
    (err) => parentPort.postMessage({ id, signatures: '', error: String((err && err.message) || err) }),
  );
});`;

/**
 * Signs on worker threads: RSA signing and canonicalisation are the largest CPU cost of a relayed
 * message, and here they stay off the thread that answers SMTP and commits. A thread that dies is replaced and its requests fail (the caller answers 451).
 */
export class DkimThreads {
  readonly #options: ReturnType<typeof signOptions>;
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, { resolve: (s: string) => void; reject: (e: Error) => void; worker: Worker }>();
  #next = 0;
  #closed = false;

  constructor(key: DkimKey, threads: number) {
    this.#options = signOptions(key);
    for (let i = 0; i < threads; i++) this.#workers.push(this.#spawn());
  }

  #spawn(): Worker {
    const worker = new Worker(THREAD_CODE, {
      eval: true,
      workerData: {
        module: requireHere.resolve('mailauth/lib/dkim/sign'),
        tools: requireHere.resolve('mailauth/lib/tools'),
        signed: SIGNED_HEADERS,
        oversigned: OVERSIGNED,
        options: this.#options,
      },
    });
    worker.unref();
    worker.on('message', (m: { id: number; signatures: string; error: string | null }) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.error) p.reject(new Error(`DKIM signing failed: ${m.error}`));
      else p.resolve(m.signatures);
    });
    worker.on('error', (err) => this.#lost(worker, err));
    worker.on('exit', () => this.#lost(worker, new Error('DKIM signing thread exited')));
    return worker;
  }

  #lost(worker: Worker, err: Error): void {
    for (const [id, p] of this.#pending) {
      if (p.worker !== worker) continue;
      this.#pending.delete(id);
      p.reject(err);
    }
    const i = this.#workers.indexOf(worker);
    if (i >= 0 && !this.#closed) this.#workers[i] = this.#spawn();
  }

  readonly sign: Signer = (raw) => {
    if (this.#closed) return Promise.reject(new Error('DKIM signing is shut down'));
    const id = this.#next++;
    const worker = this.#workers[id % this.#workers.length] as Worker;
    return new Promise<string>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, worker });
      worker.postMessage({ id, raw });
    }).then((signatures) => withSignature(signatures, raw));
  };

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
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
