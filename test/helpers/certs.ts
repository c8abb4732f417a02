// Throwaway self-signed certificates made by openssl for one test run (openssl is installed by
// .ci/run). Each call makes a new key, so two certificates are told apart by their fingerprints.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface CertFiles {
  readonly cert: string;
  readonly key: string;
}

export function makeCert(dir: string, name: string, o: { days?: number; cn?: string } = {}): CertFiles {
  const cert = join(dir, `${name}.cert.pem`);
  const key = join(dir, `${name}.key.pem`);
  const cn = o.cn ?? 'localhost';
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', String(o.days ?? 2), '-subj', `/CN=${cn}`,
    '-addext', `subjectAltName=IP:127.0.0.1,DNS:${cn}`, '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' }); // prettier-ignore
  return { cert, key };
}
