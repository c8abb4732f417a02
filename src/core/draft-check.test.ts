import { describe, expect, it } from 'vitest';
import { draftWarnings } from './draft-check.js';

const ctx = {
  bannedWords: ['cheap'],
  linkAllowList: ['acme.example'],
  linkAction: 'redact' as const,
  orderNumbers: ['A-7001'],
  isReply: false,
  requireOrderId: true,
};

describe('draftWarnings', () => {
  it('says nothing about a clean reply naming the order', () => {
    expect(draftWarnings({ subject: 'Order A-7001', text: 'See https://acme.example/track' }, ctx)).toEqual([]);
  });
  it('warns about banned words, foreign links and a missing order number', () => {
    expect(draftWarnings({ subject: 'Hello', text: 'A cheap deal at https://evil.example/x' }, ctx)).toEqual([
      'Banned words: cheap. The message will be refused.',
      'Links to evil.example will be replaced by [link removed].',
      "Name one of the buyer's order numbers (A-7001): a message that does not answer the buyer needs one.",
    ]);
  });
  it('needs no order number in a reply', () => {
    expect(draftWarnings({ subject: 'Re: hi', text: 'Sure' }, { ...ctx, isReply: true })).toEqual([]);
  });
});
