import { describe, expect, it } from 'vitest';
import { splitHeaders } from './header-allowlist.js';

describe('splitHeaders', () => {
  it('keeps only allow-listed headers and reports every other one by name and count', () => {
    const { kept, removed } = splitHeaders([
      ['received', 'from a'],
      ['received', 'from b'],
      ['from', 'x@y'],
      ['x-originating-ip', '[203.0.113.7]'],
      ['x-ms-exchange-organization-authas', 'Internal'],
      ['x-mailer', 'Outlook'],
      ['user-agent', 'Thunderbird'],
      ['dkim-signature', 'v=1'],
      ['arc-seal', 'i=1'],
      ['sender', 'x@y'],
      ['cc', 'c@y'],
      ['bcc', 'b@y'],
      ['disposition-notification-to', 'x@y'],
      ['x-brand-new-2027-tracking', 'id'],
      ['content-language', 'en-GB'],
      ['auto-submitted', 'auto-replied'],
      ['subject', 'hi'],
    ]);
    expect(kept).toEqual([
      ['content-language', 'en-GB'],
      ['auto-submitted', 'auto-replied'],
    ]);
    expect(Object.fromEntries(removed)).toEqual({
      received: 2,
      'x-originating-ip': 1,
      'x-ms-exchange-organization-authas': 1,
      'x-mailer': 1,
      'user-agent': 1,
      'dkim-signature': 1,
      'arc-seal': 1,
      sender: 1,
      cc: 1,
      bcc: 1,
      'disposition-notification-to': 1,
      'x-brand-new-2027-tracking': 1,
    });
  });

  it('drops a carried header whose value is overlong or carries a line break', () => {
    const { kept } = splitHeaders([
      ['content-language', 'x'.repeat(2000)],
      ['precedence', 'bulk\r\nBcc: x@y'],
    ]);
    expect(kept).toEqual([]);
  });
});
