import { describe, expect, it } from 'vitest';
import { redactAddresses } from './redact-addresses.js';

describe('redactAddresses', () => {
  it.each([
    ['550 5.1.1 <jane@buyer.example>: unknown', '550 5.1.1 <[redacted]@buyer.example>: unknown'],
    ['to abc@relay.localhost ok', 'to abc@relay.localhost ok'],
    ['a@b.example, c.d+e@f.example', '[redacted]@b.example, [redacted]@f.example'],
    ['no address here', 'no address here'],
  ])('%s', (input, output) => expect(redactAddresses(input, ['relay.localhost'])).toBe(output));

  it('is linear on hostile input', () => {
    const hostile = `${'a'.repeat(100_000)}@${'b.'.repeat(10_000)}`;
    expect(redactAddresses(hostile, []).endsWith('.')).toBe(true);
  });
});

describe('redactAddresses finds addresses however they are written', () => {
  it.each([
    ['IDN domain', 'to anna@öko-laden.example now', 'to [redacted]@öko-laden.example now'],
    ['UTF-8 local part, removed whole', 'jürgen@straße.example', '[redacted]@straße.example'],
    ['percent-encoded @', 'mailto:john.smith%40acme-real.example', 'mailto:[redacted]@acme-real.example'],
    ['entity in the middle', 'john&#64;acme.example', '[redacted]@acme.example'],
    ['NFD local part', 'ju\u0308rgen@stra\u00dfe.example', '[redacted]@stra\u00dfe.example'],
    ['zero-width space inside', 'jo\u200bhn@acme.example', '[redacted]@acme.example'],
  ])('%s', (_name, input, output) => expect(redactAddresses(input, ['relay.localhost'])).toBe(output));
});
