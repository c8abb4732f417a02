import { describe, expect, it } from 'vitest';
import { CLIENT_SPELLINGS } from '../../test/helpers/client-spellings.js';
import { clientKey } from './client-key.js';

describe('clientKey', () => {
  it('counts an IPv4 address as itself, also when a dual-stack listener writes it IPv4-mapped', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::FFFF:cb00:7107')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.8')).not.toBe(clientKey('::ffff:203.0.113.7'));
  });

  it('counts every address of one IPv6 /64 as one client, however it is written', () => {
    const key = clientKey('2001:db8:1:2::1');
    expect(key).toBe('2001:db8:1:2::/64');
    for (const a of ['2001:db8:1:2:ffff:ffff:ffff:fffe', '2001:0DB8:0001:0002:0:0:0:9', '2001:db8:1:2:a::b%eth0', '[2001:db8:1:2::77]']) {
      expect(clientKey(a)).toBe(key);
    }
    expect(clientKey('2001:db8:1:3::1')).not.toBe(key);
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
  });

  // Login throttling takes the client from a trusted proxy's X-Forwarded-For, which may carry a
  // range, a port or no address: '2001:db8:1:2:0::/64' was a key of its own beside '2001:db8:1:2::/64',
  // and every text that is no address was a client of its own.
  it('gives every spelling of one client (a range holding only it, a port) its key, and text naming no single client one key, unknown', () => {
    const keys = Object.entries(CLIENT_SPELLINGS).map(([key, spellings]) => [key, spellings.map((s) => [s, clientKey(s)])]);
    expect(keys).toEqual(Object.entries(CLIENT_SPELLINGS).map(([key, spellings]) => [key, spellings.map((s) => [s, key])]));
  });

  it('returns a key unchanged', () => {
    for (const key of Object.keys(CLIENT_SPELLINGS)) expect(clientKey(key)).toBe(key);
    expect(clientKey(clientKey('2001:db8::1'))).toBe('2001:db8:0:0::/64');
  });
});
