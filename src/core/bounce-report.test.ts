import { describe, expect, it } from 'vitest';
import { readBounce } from './bounce-report.js';

describe('readBounce: what an asynchronous bounce reports', () => {
  const rows: [string, string, string, { kind: string; status: string | null }][] = [
    ['a DSN: Action and Status', 'DSN', 'Action: failed\r\nStatus: 5.1.1\r\n', { kind: 'hard', status: '5.1.1' }],
    ['a DSN reporting a delay', 'DSN', 'Action: delayed\r\nStatus: 4.2.2\r\n', { kind: 'soft', status: '4.2.2' }],
    ['the Status field wins over a reply in the text', 'DSN', 'Remote said 550 5.7.1 no\r\nStatus: 5.1.1\r\n', { kind: 'hard', status: '5.1.1' }],
    // No DSN: the reply the text quotes.
    [
      "qmail's failure notice, its (#5.1.1)",
      'failure notice',
      '<jane@buyer.example>:\nSorry, no mailbox here by that name. (#5.1.1)\n',
      { kind: 'hard', status: '5.1.1' },
    ],
    [
      'a quoted reply with its enhanced code',
      'Returned mail',
      'Remote host said: 550 5.1.1 <jane@buyer.example>... User unknown',
      { kind: 'hard', status: '5.1.1' },
    ],
    ['a quoted reply whose class disagrees is passed over', 'Returned mail', 'said: 550 4.1.1 odd\nthen 552 5.2.2 full', { kind: 'hard', status: '5.2.2' }],
    ['a quoted delay', 'Warning: message delayed', 'said: 451 4.7.1 greylisted, try later', { kind: 'soft', status: '4.7.1' }],
    ['only the subject', 'Mail delivery failed', 'we could not deliver it', { kind: 'hard', status: null }],
    ['a version number is no status', 'hello', 'running 2.5.1 of the software', { kind: 'unknown', status: null }],
  ];
  it.each(rows)('%s', (_name, subject, text, expected) => {
    expect(readBounce(subject, text)).toMatchObject(expected);
  });
});
