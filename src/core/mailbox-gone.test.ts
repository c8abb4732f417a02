import { describe, expect, it } from 'vitest';
import { MAILBOX_STATUS, mailboxVerdict, replyStatus } from './mailbox-gone.js';

describe('mailboxVerdict: which enhanced status codes say the mailbox is gone', () => {
  it.each([
    ['5.1.1', 'gone'],
    ['5.1.2', 'gone'],
    ['5.1.3', 'gone'],
    ['5.1.6', 'gone'],
    ['5.1.10', 'gone'],
    ['5.1.0', 'gone'],
    ['5.2.1', 'gone'],
    ['5.1.7', 'kept'],
    ['5.1.8', 'kept'],
    ['5.2.2', 'kept'],
    ['5.2.3', 'kept'],
    ['5.4.4', 'kept'],
    ['5.7.1', 'kept'],
    ['5.7.26', 'kept'],
    ['4.1.1', 'kept'],
    ['4.2.1', 'kept'],
    ['5.9.9', 'kept'],
    ['5.01.1', 'gone'],
    ['garbage', 'kept'],
    [null, 'kept'],
  ] as const)('%s → %s', (code, verdict) => expect(mailboxVerdict(code)).toBe(verdict));

  it('lists only class 5 codes, each once', () => {
    const codes = MAILBOX_STATUS.map(([c]) => c);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^5\.\d+\.(\d+|\*)$/);
  });
});

describe('replyStatus: the enhanced status code of an SMTP reply', () => {
  it.each([
    ['550 5.1.1 <a@b>: Recipient address rejected: User unknown', '5.1.1'],
    ['550-5.1.1 The email account that you tried to reach does not exist.', '5.1.1'],
    ['552 5.2.2 mailbox full', '5.2.2'],
    ['551 5.1.6 moved', '5.1.6'],
    ['550 5.1.10 null MX', '5.1.10'],
    ['550 no such user', null],
    ['550 4.1.1 class disagrees', null],
    ['550 5.1.1.2 not a code', null],
    ['5.1.1 no reply code', null],
  ] as const)('%s → %s', (reply, code) => expect(replyStatus(reply)).toBe(code));
});
