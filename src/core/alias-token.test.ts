import { describe, expect, it } from 'vitest';
import { isValidSlug, parseRecipient, SLUG_HTML_PATTERN, TOKEN_BYTES, tokenFromBytes } from './alias-token.js';

const DOMAINS = ['relay.localhost', 'relay2.example'];
const TOKEN = 'abcdefghijklmnopqrst';

describe('tokenFromBytes', () => {
  it('makes 20 lowercase base32 characters (100 bits) from 13 bytes', () => {
    const t = tokenFromBytes(new Uint8Array(TOKEN_BYTES).fill(255));
    expect(t).toBe('77777777777777777777');
    expect(tokenFromBytes(new Uint8Array(TOKEN_BYTES))).toBe('aaaaaaaaaaaaaaaaaaaa');
  });
  it('refuses fewer than 13 bytes', () => {
    expect(() => tokenFromBytes(new Uint8Array(8))).toThrow();
  });
  it('gives distinct tokens for distinct bytes', () => {
    const a = new Uint8Array(TOKEN_BYTES);
    const b = new Uint8Array(TOKEN_BYTES);
    b[12] = 0b00010000; // a bit inside the 100 used
    expect(tokenFromBytes(a)).not.toBe(tokenFromBytes(b));
  });
});

describe('parseRecipient (golden table)', () => {
  const table: [string, string][] = [
    [`${TOKEN}@relay.localhost`, `alias:${TOKEN}`],
    [`${TOKEN.toUpperCase()}@RELAY.LOCALHOST`, `alias:${TOKEN}`],
    [`${TOKEN}@relay2.example`, `alias:${TOKEN}`],
    [`${TOKEN}@relay.localhost.`, `alias:${TOKEN}`],
    ['acme@relay.localhost', 'store:acme'],
    ['acme-shop@relay.localhost', 'store:acme-shop'],
    ['Postmaster@relay.localhost', 'role:postmaster'],
    ['abuse@RELAY.localhost', 'role:abuse'],
    ['bnc-1-abc-aaaaaaaaaaaaaaaaaaaa@relay.localhost', 'bounce:bnc-1-abc-aaaaaaaaaaaaaaaaaaaa'],
    [`${TOKEN}@gmail.example`, 'RELAY_DENIED'],
    ['victim@gmail.example', 'RELAY_DENIED'],
    [`victim%gmail.example@relay.localhost`, 'BAD_RECIPIENT_SYNTAX'],
    [`"victim@gmail.example"@relay.localhost`, 'BAD_RECIPIENT_SYNTAX'],
    [`@relay.localhost:victim@gmail.example`, 'BAD_RECIPIENT_SYNTAX'],
    [`gmail.example!victim@relay.localhost`, 'BAD_RECIPIENT_SYNTAX'],
    [`victim@gmail.example@relay.localhost`, 'BAD_RECIPIENT_SYNTAX'],
    [`${TOKEN}@[127.0.0.1]`, 'BAD_RECIPIENT_SYNTAX'],
    ['@relay.localhost', 'BAD_RECIPIENT_SYNTAX'],
    ['', 'BAD_RECIPIENT_SYNTAX'],
    ['-acme@relay.localhost', 'UNKNOWN_ALIAS'],
    [`${TOKEN}1@relay.localhost`, `store:${TOKEN}1`], // not token-shaped: looked up as a store slug
    [`${'a'.repeat(40)}@relay.localhost`, 'UNKNOWN_ALIAS'],
    ['Unsubscribe+12.3.abcdefghijklmnopqrstuvwxyz@relay.localhost', 'unsubscribe:12.3.abcdefghijklmnopqrstuvwxyz'],
  ];
  it.each(table)('%s → %s', (address, expected) => {
    const r = parseRecipient(address, DOMAINS);
    const got =
      'code' in r
        ? r.code
        : r.kind === 'alias'
          ? `alias:${r.token}`
          : r.kind === 'bounce'
            ? `bounce:${r.local}`
            : r.kind === 'unsubscribe'
              ? `unsubscribe:${r.token}`
              : r.kind === 'role'
                ? `role:${r.role}`
                : `store:${r.slug}`;
    expect(got).toBe(expected);
  });
});

describe('isValidSlug', () => {
  it.each([
    ['acme', true],
    ['a', true],
    ['acme-2', true],
    ['Acme', false],
    ['acme-', false],
    ['ac_me', false],
    [TOKEN, false], // token-shaped slugs would shadow aliases
    ['bnc-shop', false], // so would bounce-shaped ones
    ['x'.repeat(33), false],
  ])('%s → %s', (slug, ok) => expect(isValidSlug(slug)).toBe(ok));
});

describe('SLUG_HTML_PATTERN', () => {
  // Browsers compile a pattern attribute as new RegExp(`^(?:${pattern})$`, 'v'); an invalid one is ignored.
  const browser = new RegExp(`^(?:${SLUG_HTML_PATTERN})$`, 'v');
  it.each(['acme', 'a', 'acme-store', 'a1-b2', 'x'.repeat(32), 'Acme', '-acme', 'acme-', 'x'.repeat(33), 'ac me', 'acme_store'])(
    'is valid in v mode and agrees with the server on %j (apart from the alias and bounce shapes)',
    (slug) => {
      expect(browser.test(slug)).toBe(isValidSlug(slug));
    },
  );
});
