import { describe, expect, it } from 'vitest';
import { describeChange } from './change-words.js';

describe('describeChange (golden table)', () => {
  it.each([
    [{ rule: 'mask.address', detail: 'text part', count: 2 }, '2 real addresses or names of the writer replaced by the alias in the text part.'],
    [{ rule: 'filter.attachment', detail: 'smime.p7s: a digital signature or key' }, 'Attachment removed — smime.p7s: a digital signature or key.'],
    [{ rule: 'filter.email', detail: 'email addresses removed from the HTML part', count: 1 }, '1 other email address removed from the HTML part.'],
    [
      { rule: 'headers.removed', detail: 'received ×2, x-originating-ip', count: 3 },
      'Technical headers that could identify the sender or their mail system were removed: received ×2, x-originating-ip.',
    ],
    [
      { rule: 'mask.metadata', detail: 'attachment IMG_1.jpg: photo metadata removed (location, camera, author)' },
      'Photo metadata removed (location, camera, author) from the attachment IMG_1.jpg.',
    ],
    [
      { rule: 'mask.calendar', detail: 'attachment invite.ics: other attendees removed', count: 1 },
      'Calendar invitation kept as an invitation; other attendees removed (1).',
    ],
    [{ rule: 'some.new-rule', detail: 'x', count: 3 }, 'some.new-rule: x (3)'],
  ])('%j', (change, words) => expect(describeChange(change)).toBe(words));
});
