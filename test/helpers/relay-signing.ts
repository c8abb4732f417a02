// The relay's own DKIM signing as the composer's tests set it up: a throwaway key for relay.test
// (selector sel), a receiver's resolver that publishes it, and a fixed clock second and fixed MIME
// boundaries, so that two ways of composing and signing the same mail give the same bytes.
import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, vi } from 'vitest';
import { ensureDkimKey } from '../../src/outbound/dkim.js';
import { signSetup } from '../../src/outbound/dkim-sign.js';

/**
 * Registers the file's hooks and returns its signing setup (`dkim`, for dkimSignMessage and
 * composeInPlace) and the resolver a verifier needs (`resolver`: TXT of sel._domainkey.relay.test,
 * ENOTFOUND for any other name). Each test runs at 2026-11-30T12:00:00.250Z (one second for t=),
 * with nodemailer's 8 random boundary bytes fixed; the key's folder is removed after the file.
 */
export function relaySigning(prefix: string) {
  const keyDir = mkdtempSync(join(tmpdir(), prefix));
  const key = ensureDkimKey(keyDir, 'relay.test', 'sel');
  const dkim = signSetup(key);
  afterAll(() => rmSync(keyDir, { recursive: true, force: true }));
  const resolver = async (name: string) => {
    if (name !== 'sel._domainkey.relay.test') throw Object.assign(new Error('no such name'), { code: 'ENOTFOUND' });
    return [[`v=DKIM1; k=rsa; p=${key.publicKey}`]];
  };
  const randomBytes = crypto.randomBytes;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-30T12:00:00.250Z') });
    vi.spyOn(crypto, 'randomBytes').mockImplementation(((size: number) => (size === 8 ? Buffer.alloc(8, 0x5a) : randomBytes(size))) as typeof randomBytes);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });
  return { dkim, resolver };
}
