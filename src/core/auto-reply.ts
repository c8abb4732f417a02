// Owns recognising machine-sent mail (RFC 3834 Auto-Submitted, Precedence, vendor auto-reply
// headers), which must never trigger a notice, and the hop count that stops mail looping through
// maskgate (a store mailbox that auto-forwards to an alias, say).

export const HOPS_HEADER = 'x-maskgate-hops';
export const MAX_HOPS = 5;

export function isAutoSubmitted(headers: readonly (readonly [string, string])[]): boolean {
  for (const [name, raw] of headers) {
    const value = raw.trim().toLowerCase();
    if (name === 'auto-submitted' && value !== '' && !value.startsWith('no')) return true;
    if (name === 'precedence' && /^(bulk|junk|list|auto_reply)\b/.test(value)) return true;
    if (name === 'x-autoreply' || name === 'x-autorespond' || name === 'x-autoresponder') return true;
    if (name === 'x-auto-response-suppress' && /\b(all|oof|autoreply)\b/.test(value) && headers.some(([n]) => n === 'x-ms-exchange-inbox-rules-loop'))
      return true;
  }
  return false;
}

/** How many times this message already passed through maskgate. */
export function hopCount(headers: readonly (readonly [string, string])[]): number {
  let hops = 0;
  for (const [name, value] of headers) {
    if (name !== HOPS_HEADER) continue;
    const n = Number.parseInt(value.trim(), 10);
    if (Number.isFinite(n) && n > hops) hops = Math.min(n, 1000);
  }
  return hops;
}
