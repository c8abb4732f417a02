import { describe, expect, it } from 'vitest';
import { undeliverableWords } from './undeliverable-words.js';

describe('undeliverableWords', () => {
  it.each([
    ['550 5.1.1 <k3v@relay.test>: Recipient address rejected: User unknown', 'their mailbox no longer exists (550 5.1.1)'],
    ['bounced after delivery: 5.1.1 user unknown', 'their mailbox no longer exists (5.1.1)'],
    ['550 5.1.2 Host or domain name not found', 'their email domain does not exist (550 5.1.2)'],
    ['550-5.2.1 The email account that you tried to reach is disabled', 'their mailbox is disabled (550 5.2.1)'],
    ['bounced after delivery: 5.1.10 null MX', 'their email domain takes no mail (5.1.10)'],
    ['554 5.7.1 refused', 'their mail server refuses mail for them for good (554 5.7.1)'],
    ['550 user unknown', 'their mail server refuses mail for them for good'],
    [null, 'their mail server refuses mail for them for good'],
  ])('tells %j as %j', (reason, words) => {
    expect(undeliverableWords(reason)).toBe(words);
  });
});
