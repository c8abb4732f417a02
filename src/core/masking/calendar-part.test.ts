import { describe, expect, it } from 'vitest';
import { maskCalendar } from './calendar-part.js';

const env = {
  text: (s: string) => s.replace(/[\w.]+@[\w.]+/g, '[email removed]'),
  html: (s: string) => s.replace(/&#64\\?;/g, '@').replace(/[\w.]+@[\w.]+/g, '[email removed]'),
  isAlias: () => false,
  alias: { name: 'Acme Store', address: 'x7@relay.localhost' },
  recipient: { name: 'Anna', address: 'anna@buyer.example' },
  // The writer's addresses (here jane@writer.example) become the alias; nothing else changes.
  identifier: (s: string) => s.replace(/jane@writer\.example/gi, 'x7@relay.localhost'),
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

  it('labels a vCalendar 1.0 value that is not ASCII CHARSET=UTF-8, as Outlook writes it (unlabelled, Outlook reads it in the Windows code page); iCalendar 2.0 stays unlabelled', () => {
    const v1 = ics('SUMMARY;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Abholung S=FCd', 'LOCATION:Tor 3').replace('VERSION:2.0', 'VERSION:1.0');
    const c = maskCalendar(v1, env);
    expect(c.text).toMatch(/^SUMMARY;CHARSET=UTF-8:Abholung Süd\r$/m);
    expect(c.text).toMatch(/^LOCATION:Tor 3\r$/m);
    expect(maskCalendar(ics('SUMMARY:Abholung Süd'), env).text).not.toMatch(/CHARSET/i);
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

  it.each([
    ['a file as a data: URI', `ATTACH;FMTTYPE=text/plain:data:text/plain;base64,${Buffer.from('bob.stone@shopmail.de').toString('base64')}`, 1],
    ['a property named by an address', 'X-bob.stone@shopmail.de:hi', 0],
    ['a component named by an address', 'BEGIN:X-bob.stone@shopmail.de\r\nX-A:1\r\nEND:X-bob.stone@shopmail.de', 0],
  ])('removes %s', (_, prop, files) => {
    const c = maskCalendar(ics('SUMMARY:Pickup', prop), env);
    expect(c.removedFiles).toBe(files);
    expect(c.text).toContain('SUMMARY:Pickup');
    expect(c.text).not.toMatch(/shopmail|Ym9i|data:/i);
  });

  it('drops a parameter named by an address, keeps its property', () => {
    const c = maskCalendar(ics('DESCRIPTION;X-bob.stone@shopmail.de=1:at the gate'), env);
    expect(c.text).toContain('DESCRIPTION:at the gate');
    expect(c.text).not.toMatch(/shopmail/i);
  });

  it.each([
    ['a soft line break', ['DESCRIPTION;ENCODING=QUOTED-PRINTABLE:Mail bob.stone=', '=40shopmail.de any day'], 'DESCRIPTION:Mail [email removed] any day'],
    [
      'a soft line break before a colon',
      ['DESCRIPTION;ENCODING=QUOTED-PRINTABLE:Mail bob.stone=', '=40shopmail.de: any day'],
      'DESCRIPTION:Mail [email removed]: any day',
    ],
  ])('joins a vCalendar quoted-printable value over %s', (_, props, want) => {
    const c = maskCalendar(ics(...props), env);
    expect(c.text).toContain(want);
    expect(c.text).not.toMatch(/shopmail/i);
  });

  it('keeps a description that starts with "Data:" and a line ending in "=" outside quoted-printable', () => {
    const c = maskCalendar(ics('DESCRIPTION:Data: 5 pallets, gate 3', 'SUMMARY:x=', 'LOCATION:Tor 3'), env);
    expect(c.text).toContain('DESCRIPTION:Data: 5 pallets\\, gate 3');
    expect(c.text).toContain('SUMMARY:x=');
    expect(c.text).toContain('LOCATION:Tor 3');
  });

  it('masks an HTML description (X-ALT-DESC;FMTTYPE=text/html) as HTML, a plain one as text', () => {
    const c = maskCalendar(ics('X-ALT-DESC;FMTTYPE=text/html:<p>Mail bob.stone&#64\\;shopmail.de</p>', 'DESCRIPTION:Mail bob.stone&#64\\;shopmail.de'), env);
    expect(c.text).toContain('X-ALT-DESC;FMTTYPE=text/html:<p>Mail [email removed]</p>');
    expect(c.text).toContain('DESCRIPTION:Mail bob.stone&#64\\;shopmail.de');
  });

  // Round 17: a UID is the key by which a calendar program matches an update or a cancellation to
  // the event it holds; masked as text, every UID that looked like an address became the same
  // `[email removed]` (a changed UID makes a new event; one shared by all merges them).
  const uids = (text: string) => [...text.replace(/\r\n[ \t]/g, '').matchAll(/^(?:UID|RELATED-TO)[^:]*:(.*)$/gm)].map((m) => m[1]);
  const vevent = (uid: string, ...props: string[]) => ics(...props).replace('UID:1', `UID:${uid}`);
  it.each([
    ['a server’s id', '12345@shop.example'],
    ['Google’s', '7kq2p9r0s1t2u3v4w5x6y7z8ab@google.com'],
    ['Outlook’s', '040000008200E00074C5B7101A82E00800000000D0A2C1B5F0D6DA01000000000000000010000000'],
    ['Apple’s', '5F3C1E2A-9B8D-4C7E-A1F2-3D4E5F6A7B8C'],
  ])('keeps %s UID as it is', (_, uid) => {
    const c = maskCalendar(vevent(uid, 'SUMMARY:Pickup', `RELATED-TO:${uid}`), env);
    expect(uids(c.text)).toEqual([uid, uid]);
  });

  it('maps a UID that holds the writer’s address the same way each time, and RELATED-TO with it', () => {
    const uid = '20261201T090000Z-4711-jane@writer.example';
    const once = maskCalendar(vevent(uid, 'SUMMARY:Pickup', `RELATED-TO;RELTYPE=PARENT:${uid}`), env);
    const again = maskCalendar(vevent(uid, 'SUMMARY:Pickup moved', 'SEQUENCE:1'), env);
    expect(uids(once.text)).toEqual(['20261201T090000Z-4711-x7@relay.localhost', '20261201T090000Z-4711-x7@relay.localhost']);
    expect(uids(again.text)).toEqual(['20261201T090000Z-4711-x7@relay.localhost']);
    expect(once.text).not.toMatch(/writer/);
  });
});
