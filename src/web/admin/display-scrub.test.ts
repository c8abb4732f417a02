import { describe, expect, it } from 'vitest';
import { scrubForDisplay } from './display-scrub.js';

const KEEP = ['support@acme.example', 'olivia@seller.example'];
const scrub = (text: string) => scrubForDisplay(text, ['relay.localhost'], KEEP);

describe('scrubForDisplay', () => {
  it.each([
    ['to <jane@buyer.example>', 'to <[redacted]@buyer.example>'],
    ['to jürgen.müller@buyer.example', 'to [redacted]@buyer.example'],
    ['&lt;jane@buyer.example&gt; 550', '&lt;[redacted]@buyer.example&gt; 550'],
    ['alias k3v@relay.localhost', 'alias k3v@relay.localhost'],
    ['mailbox support@acme.example', 'mailbox support@acme.example'],
    ['mailbox SUPPORT@acme.example', 'mailbox SUPPORT@acme.example'],
    ['<td>olivia@seller.example</td>', '<td>olivia@seller.example</td>'],
  ])('%s', (input, output) => expect(scrub(input)).toBe(output));

  it('does not keep a longer address that ends or starts with a kept one', () => {
    expect(scrub('x.support@acme.example')).toBe('[redacted]@acme.example');
    expect(scrub('müsupport@acme.example')).toBe('[redacted]@acme.example');
    expect(scrub('support@acme.example.evil.example')).toBe('[redacted]@acme.example.evil.example');
  });

  it('cannot be made to reveal what it kept by placeholders written into the text', () => {
    expect(scrub('\u00000\u0000 jane@buyer.example support@acme.example')).toBe('\uFFFD0\uFFFD [redacted]@buyer.example support@acme.example');
  });
});
