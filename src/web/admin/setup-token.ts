// Owns the one-time setup link that creates the first owner: made at start while no user exists,
// valid for 24 hours from when it was first made, used once. A restart within those 24 hours gives
// the same link again (the one already printed keeps working): the token is an HMAC of its expiry
// under a secret kept in the database, and only its SHA-256 and the expiry are stored beside it.
// Everything is in the database, so on PostgreSQL every node prints the same link and accepts it:
// the first node to start makes it (a conditional write; a node starting at the same moment reads
// the winner's), and it is spent atomically with the owner's creation (admin-ports.ts
// insertFirstOwner), so it creates one owner however many requests present it at once, on any node.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AdminStore, SecretStore, SetupSwap } from '../../store/ports.js';

const KEY = 'setup_token';
const SECRET_KEY = 'setup_secret';
const SPENT = JSON.stringify({ sha256: '', expiresAt: 0 });
export const SETUP_TTL_MS = 24 * 3600 * 1000;
const sha = (t: string) => createHash('sha256').update(t).digest('hex');

/** What the setup link reads and writes: settings, the link's secret, the conditional swap. */
export type SetupSettings = Pick<SecretStore, 'getSetting' | 'setSetting' | 'secret'> & Pick<AdminStore, 'swapSetting'>;

interface Stored {
  readonly sha256: string;
  readonly expiresAt: number;
}

const parse = (raw: string | null): Stored | null => (raw ? (JSON.parse(raw) as Stored) : null);

const tokenFor = async (s: SetupSettings, expiresAt: number) =>
  createHmac('sha256', await s.secret(SECRET_KEY))
    .update(`setup.${expiresAt}`)
    .digest('base64url')
    .slice(0, 32);

/**
 * The setup link's token for this start and when it stops working (ms): the one made by an earlier
 * start (on any node) while it is still valid and unused, otherwise a new one valid for 24 hours.
 */
export async function currentSetupToken(s: SetupSettings, now = Date.now()): Promise<{ token: string; expiresAt: number }> {
  for (;;) {
    const raw = await s.getSetting(KEY);
    const stored = parse(raw);
    if (stored && stored.sha256 !== '' && stored.expiresAt > now) {
      const token = await tokenFor(s, stored.expiresAt);
      if (sha(token) === stored.sha256) return { token, expiresAt: stored.expiresAt };
    }
    const expiresAt = now + SETUP_TTL_MS;
    const token = await tokenFor(s, expiresAt);
    // Another node writing its own link at the same moment: the loser reads the winner's.
    if (await s.swapSetting(KEY, raw, JSON.stringify({ sha256: sha(token), expiresAt }))) return { token, expiresAt };
  }
}

/** Whether `token` is the live setup link's; with the stored value it was checked against. */
async function check(s: Pick<SecretStore, 'getSetting'>, token: string, now: number): Promise<{ ok: boolean; raw: string | null }> {
  const raw = await s.getSetting(KEY);
  const stored = parse(raw);
  if (!stored || !token) return { ok: false, raw };
  const a = Buffer.from(sha(token));
  const b = Buffer.from(stored.sha256);
  return { ok: stored.expiresAt > now && a.length === b.length && timingSafeEqual(a, b), raw };
}

export async function setupTokenValid(s: Pick<SecretStore, 'getSetting'>, token: string, now = Date.now()): Promise<boolean> {
  return (await check(s, token, now)).ok;
}

/**
 * The swap that spends the token, when it is still valid (null otherwise): pass it to
 * UserStore.insertFirstOwner, whose conditional UPDATE on the stored value lets exactly one of
 * several requests presenting it at once win.
 */
export async function setupSwap(s: Pick<SecretStore, 'getSetting'>, token: string, now = Date.now()): Promise<SetupSwap | null> {
  const { ok, raw } = await check(s, token, now);
  return ok && raw !== null ? { key: KEY, expected: raw, spent: SPENT } : null;
}

/** After the owner was made: a new secret, so no later link can be derived from the old one. */
export async function retireSetupSecret(s: Pick<SecretStore, 'setSetting'>): Promise<void> {
  await s.setSetting(SECRET_KEY, randomBytes(32).toString('hex'));
}
