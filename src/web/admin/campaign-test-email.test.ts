import { describe, expect, it } from 'vitest';
import { TEST_EMAILS_PER_HOUR, TestEmailLimit } from './campaign-test-email.js';

const HOUR = 3_600_000;

describe('TestEmailLimit', () => {
  it('lets 20 test emails an hour through per user, then says how long to wait', () => {
    const limit = new TestEmailLimit();
    for (let i = 0; i < TEST_EMAILS_PER_HOUR; i++) expect(limit.take(1, 1000 + i * 60_000)).toHaveProperty('ticket');
    expect(limit.take(1, 1000 + 30 * 60_000)).toEqual({ waitMs: 1000 + HOUR - (1000 + 30 * 60_000) });
    expect(limit.take(2, 1000 + 30 * 60_000)).toHaveProperty('ticket'); // another user's count is apart
    expect(limit.take(1, 1000 + HOUR + 1)).toHaveProperty('ticket'); // the oldest has left the hour
  });

  it('takes a released (not sent) test back', () => {
    const limit = new TestEmailLimit(2);
    const first = limit.take(1, 10);
    if (!('ticket' in first)) throw new Error('refused');
    expect(limit.take(1, 20)).toHaveProperty('ticket');
    first.ticket.release();
    expect(limit.take(1, 30)).toHaveProperty('ticket');
    expect(limit.take(1, 40)).toHaveProperty('waitMs');
  });
});
