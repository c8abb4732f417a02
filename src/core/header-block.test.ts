import { describe, expect, it } from 'vitest';
import { readHeaderBlock, readMailbox } from './header-block.js';

const enc = new TextEncoder();
const block = (...lines: string[]) => enc.encode([...lines, 'Subject: hi', '', 'body'].join('\r\n'));
const read = (...lines: string[]) => {
  const r = readHeaderBlock(block(...lines));
  return 'code' in r ? r.code : r.from.address;
};

describe('readHeaderBlock (golden table)', () => {
  it.each([
    ['a plain From', ['From: Jane <jane@buyer.example>'], 'jane@buyer.example'],
    ['a bare address', ['From: jane@buyer.example'], 'jane@buyer.example'],
    ['a lowercase field name', ['from: jane@buyer.example'], 'jane@buyer.example'],
    ['a folded From', ['From: Shield Store', '  <support@shield.example>'], 'support@shield.example'],
    ['an encoded display name', ['From: =?utf-8?B?U2hpZWxkIFN0b3Jl?= <support@shield.example>'], 'support@shield.example'],
    ['an encoded name that spells an address', ['From: =?utf-8?Q?support=40shield.example?= <x@evil.example>'], 'x@evil.example'],
    ['a quoted name with an @', ['From: "support@shield.example" <x@evil.example>'], 'x@evil.example'],
    ['a UTF-8 local part and IDN (RFC 6532)', ['From: José <josé@bücher.example>'], 'josé@bücher.example'],
    ['"FROM :" (whitespace before the colon)', ['FROM : Shield Store <x@evil.example>', 'From: support@shield.example'], 'HEADER_MALFORMED'],
    ['an mbox postmark first', ['From x@evil.example Sat Jan  3 01:05:34 1996', 'From: support@shield.example'], 'HEADER_MALFORMED'],
    ['a continuation first', [' From: x@evil.example', 'From: support@shield.example'], 'HEADER_MALFORMED'],
    ['no From', ['To: a@b.example'], 'FROM_MISSING'],
    ['two From fields', ['From: support@shield.example', 'From: x@evil.example'], 'FROM_MULTIPLE'],
    ['two addresses in one From', ['From: support@shield.example, x@evil.example'], 'FROM_INVALID'],
    ['group syntax', ['From: Shield: support@shield.example;'], 'FROM_INVALID'],
    ['a comment in the address', ['From: support@shield.example (Shield Store)'], 'FROM_INVALID'],
    ['a comment hiding an address', ['From: x@evil.example(support@shield.example)'], 'FROM_INVALID'],
    ['an unquoted address as display name', ['From: support@shield.example <x@evil.example>'], 'FROM_INVALID'],
    ['a quoted local part', ['From: "support@shield.example"@evil.example'], 'FROM_INVALID'],
    ['a domain literal', ['From: x@[192.0.2.1]'], 'FROM_INVALID'],
    ['a source route', ['From: <@shield.example:x@evil.example>'], 'FROM_INVALID'],
    ['an encoded word as the address', ['From: =?utf-8?Q?support=40shield.example?='], 'FROM_INVALID'],
    ['an encoded word inside <>', ['From: Shield <=?utf-8?Q?x?=@shield.example>'], 'FROM_INVALID'],
    ['text after the address', ['From: <x@evil.example> support@shield.example'], 'FROM_INVALID'],
    ['two angle addresses', ['From: <x@evil.example> <support@shield.example>'], 'FROM_INVALID'],
    ['an empty From', ['From:'], 'FROM_INVALID'],
    ['a no-break space after the address inside <>', ['From: Shield <support@shield.example\u00a0>'], 'FROM_INVALID'],
    ['an ideographic space before the address inside <>', ['From: Shield <\u3000support@shield.example>'], 'FROM_INVALID'],
    ['a byte-order mark after the address inside <>', ['From: Shield <support@shield.example\ufeff>'], 'FROM_INVALID'],
    ['a no-break space in the display name (kept)', ['From: Shield\u00a0Store <support@shield.example>'], 'support@shield.example'],
    ['a no-break space after a bare address (trimmed by every reader)', ['From: support@shield.example\u00a0'], 'support@shield.example'],
    ['a line without a colon', ['From: support@shield.example', 'garbage line'], 'HEADER_MALFORMED'],
    ['a whitespace-only line', ['From: support@shield.example', '   ', 'From: x@evil.example'], 'HEADER_MALFORMED'],
    ['an 8-bit byte in a field name', ['From: support@shield.example', 'Fröm: x@evil.example'], 'HEADER_MALFORMED'],
    ['a second Subject', ['From: support@shield.example', 'Subject: other'], 'HEADER_MALFORMED'],
    ['a second Content-Type', ['From: support@shield.example', 'Content-Type: text/html', 'Content-Type: text/plain'], 'HEADER_MALFORMED'],
    [
      'a second Content-Transfer-Encoding',
      ['From: support@shield.example', 'Content-Transfer-Encoding: base64', 'Content-Transfer-Encoding: 7bit'],
      'HEADER_MALFORMED',
    ],
    ['a second MIME-Version', ['From: support@shield.example', 'MIME-Version: 1.0', 'MIME-Version: 1.0'], 'HEADER_MALFORMED'],
  ] as const)('%s → %s', (_n, lines, expected) => {
    expect(read(...lines)).toBe(expected);
  });

  it('refuses a NUL and a bare CR in the header block', () => {
    expect(readHeaderBlock(enc.encode('From: a@b.example\r\nX-A: a\u0000b\r\n\r\nbody'))).toMatchObject({ code: 'HEADER_MALFORMED' });
    expect(readHeaderBlock(enc.encode('From: a@b.example\rFrom: x@evil.example\r\n\r\nbody'))).toMatchObject({ code: 'HEADER_MALFORMED' });
  });

  it('reads Sender with the same reader as From, and refuses one that is not a single plain mailbox', () => {
    const ok = readHeaderBlock(enc.encode('From: a@b.example\r\nSender: "Smith, John" <john@b.example>\r\n\r\nbody'));
    expect(ok).toMatchObject({ sender: { rawName: 'Smith, John', address: 'john@b.example' } });
    for (const value of ['Staff: x@evil.example;', 'a@b.example, x@evil.example', 'x@evil.example (John)']) {
      const r = readHeaderBlock(enc.encode(`From: a@b.example\r\nSender: ${value}\r\n\r\nbody`));
      expect(r).toMatchObject({ code: 'HEADER_MALFORMED' });
    }
  });

  it('reads LF-only line ends as every parser we use does, and stops at the empty line', () => {
    const r = readHeaderBlock(enc.encode('From: a@b.example\nX-Test: one\n two\n\nFrom x@y.example body line\n'));
    expect(r).toEqual({
      fields: [
        { key: 'from', value: 'a@b.example' },
        { key: 'x-test', value: 'one two' },
      ],
      from: { rawName: '', address: 'a@b.example' },
      sender: null,
    });
  });

  it('reads a 1 MB header and a 100 000-character From value in one pass', () => {
    const long = `X-Long: ${'a'.repeat(1_000_000)}`;
    expect(read('From: jane@buyer.example', long)).toBe('jane@buyer.example');
    expect(readMailbox(`${'"a" '.repeat(25_000)}<x@y.example>`)).toMatchObject({ address: 'x@y.example' });
  });
});
