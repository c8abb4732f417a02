import { describe, expect, it } from 'vitest';
import { maskCalendar } from './calendar-part.js';

const env = {
  text: (s: string) => s.replace(/[\w.]+@[\w.]+/g, '[email removed]'),
  isAlias: () => false,
  alias: { name: 'Acme Store', address: 'x7@relay.localhost' },
  recipient: { name: 'Anna', address: 'anna@buyer.example' },
};
const ics = (...props: string[]) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//T//T//EN',
    'BEGIN:VEVENT',
    'UID:1',
    'DTSTAMP:20260101T000000Z',
    ...props,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

describe('maskCalendar', () => {
  it('removes a file inside the invitation (a binary value), keeps the rest', () => {
    const file = Buffer.from('bob.stone@shopmail.de').toString('base64');
    const c = maskCalendar(ics('SUMMARY:Pickup', `ATTACH;FMTTYPE=text/plain;ENCODING=BASE64;VALUE=BINARY;X-FILENAME=c.txt:${file}`), env);
    expect(c.removedFiles).toBe(1);
    expect(c.text).toContain('SUMMARY:Pickup');
    expect(c.text).not.toContain(file.slice(0, 12));
  });

  it('decodes a vCalendar value in quoted-printable before masking it', () => {
    const c = maskCalendar(ics('DESCRIPTION;ENCODING=QUOTED-PRINTABLE:Mail bob.stone=40shopmail.de'), env);
    expect(c.text).toContain('DESCRIPTION:Mail [email removed]');
    expect(c.text).not.toMatch(/shopmail|ENCODING/i);
  });

  it('keeps an attachment given as a link, masked as text', () => {
    const c = maskCalendar(ics('ATTACH;FMTTYPE=application/pdf:https://shop.example/terms.pdf?u=bob@shop.de'), env);
    expect(c.removedFiles).toBe(0);
    expect(c.text.replace(/\r\n[ \t]/g, '')).toContain('ATTACH;FMTTYPE=application/pdf:https://shop.example/terms.pdf?u=[email removed]');
  });
});
