import { describe, expect, it } from 'vitest';
import { asciiReplyText, refusal, smtpReply } from './verdicts.js';

describe('SMTP reply texts', () => {
  it('turn a sentence carrying outside names into one line of printable ASCII', () => {
    const { code, message } = smtpReply(refusal('ATTACHMENT_REFUSED', 'attachment "Café\r\n250 2.0.0 Ok\u0000.exe" refused — see RFC 5322 §3.6 → “why”'));
    expect(code).toBe(550);
    expect(message).toBe('5.7.1 attachment "Cafe 250 2.0.0 Ok .exe" refused - see RFC 5322 section 3.6 -> "why"');
    expect(message).toMatch(/^[\x20-\x7e]*$/);
  });

  it('write other non-ASCII as ? and cut a long sentence at 400 characters', () => {
    expect(asciiReplyText('Магазин')).toBe('???????');
    const long = asciiReplyText(`banned words: ${'x, '.repeat(500)}`);
    expect(long).toHaveLength(400);
    expect(long.endsWith('...')).toBe(true);
  });
});
