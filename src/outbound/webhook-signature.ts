// Owns the webhook signature: `Maskgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
// `<t>.<body>` with the endpoint's secret (Stripe's scheme), and its constant-time verification —
// the same code the README shows receivers.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'maskgate-signature';

export function signWebhook(secret: string, body: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${nowSeconds}.${body}`).digest('hex');
  return `t=${nowSeconds},v1=${v1}`;
}

/**
 * True when `header` signs `body` (the raw bytes received, before any JSON parsing) with `secret`,
 * and its timestamp is within `toleranceSeconds` of now (a replayed old request fails).
 */
export function verifyWebhook(secret: string, body: string, header: string, toleranceSeconds = 300, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds || typeof parts.v1 !== 'string') return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
