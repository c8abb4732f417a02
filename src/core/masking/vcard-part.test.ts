import { describe, expect, it } from 'vitest';
import { maskVcard } from './vcard-part.js';

const env = {
  text: (s: string) => s.replace(/[\w.]+@[\w.]+/g, '[email removed]').replace(/Jürgen Müller/g, 'Acme Store'),
  namesWriter: (s: string) => /jürgen müller|müller, jürgen/i.test(s),
  isAlias: () => false,
  alias: { name: 'Acme Store', address: 'x7@relay.localhost' },
};
const card = (version: string, ...props: string[]) => ['BEGIN:VCARD', `VERSION:${version}`, ...props, 'END:VCARD', ''].join('\r\n');
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('maskVcard: values in an encoding', () => {
  it.each([
    ['3.0', `NOTE;ENCODING=b:${b64('bob.stone@shopmail.de')}`],
    ['2.1', `X-NOTE;ENCODING=BASE64:${b64('bob.stone@shopmail.de')}`],
    ['3.0', `X-MS-CARDPICTURE;ENCODING=b;TYPE=JPEG:${b64('bob.stone@shopmail.de')}`],
  ])('removes a base64 value (vCard %s): %s', (version, prop) => {
    const v = maskVcard(card(version, 'FN:Lager Team', prop), env);
    expect(v.removed).toBe(1);
    expect(v.text).toContain('FN:Lager Team');
    expect(v.text).not.toMatch(/ENCODING/i);
  });

  it('decodes a quoted-printable value, then masks it (an address, the writer’s name in its charset)', () => {
    const v = maskVcard(
      card('2.1', 'FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller', 'NOTE;ENCODING=QUOTED-PRINTABLE:Mail bob.stone=40shopmail.de'),
      env,
    );
    expect(v.text).toContain('FN:Acme Store');
    expect(v.text).toContain('NOTE:Mail [email removed]');
    expect(v.text).not.toMatch(/ENCODING|shopmail|Müller/i);
  });

  it('reads a value by its CHARSET as the contacts program does (UTF-7, round 19), and drops the parameter: the card goes out as UTF-8', () => {
    const v = maskVcard(
      card(
        '2.1',
        'FN:Lager Team',
        'NOTE;CHARSET=UTF-7:Mail bob.stone+AEA-shopmail.de',
        'X-NOTE;CHARSET=UTF-7;ENCODING=QUOTED-PRINTABLE:Mail bob.stone+AEA-shopmail=2Ede',
      ),
      env,
    );
    expect(v.text).toContain('NOTE:Mail [email removed]');
    expect(v.text).toMatch(/X-NOTE[^:]*:Mail \[email removed\]/);
    expect(v.text).not.toMatch(/CHARSET|AEA|shopmail/i);
  });

  it('labels a vCard 2.1 value that is not ASCII CHARSET=UTF-8, as Outlook writes it: without a label Outlook reads it in the Windows code page (cp932 reads UTF-8 bytes as other letters), not as masked', () => {
    const v = maskVcard(card('2.1', 'FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Lager S=FCd', 'NOTE:Gr\u00fc\u00dfe aus K\u00f6ln', 'TITLE:Team'), env);
    expect(v.text).toMatch(/^FN;CHARSET=UTF-8:Lager Süd\r$/m);
    expect(v.text).toMatch(/^NOTE;CHARSET=UTF-8:Grüße aus Köln\r$/m);
    expect(v.text).toMatch(/^TITLE:Team\r$/m);
    const v3 = maskVcard(card('3.0', 'FN:Lager Süd'), env);
    expect(v3.text).not.toMatch(/CHARSET/i);
  });

  it('removes a value in a CHARSET no decoder here reads (EBCDIC), never keeps it unread', () => {
    const v = maskVcard(card('2.1', 'FN:Lager Team', 'NOTE;CHARSET=IBM037:abc', 'X-NOTE;CHARSET=IBM037;ENCODING=QUOTED-PRINTABLE:=81=95'), env);
    expect(v.text).toContain('FN:Lager Team');
    expect(v.text).not.toMatch(/NOTE|IBM037/i);
  });

  it('keeps a value marked 8bit as it is', () => {
    expect(maskVcard(card('3.0', 'FN;ENCODING=8bit:Lager Team'), env).text).toContain('Lager Team');
  });
});

describe('maskVcard: names, data: files, soft line breaks', () => {
  it.each([
    ['a property named by an address', 'X-bob.stone@shopmail.de:hi', 1],
    ['a file as a data: URI', `X-FILE:data:text/plain;base64,${b64('bob.stone@shopmail.de')}`, 1],
    ['a parameter named by an address', 'NOTE;X-bob.stone@shopmail.de=1:at the gate', 0],
  ])('removes %s', (_, prop, removed) => {
    const v = maskVcard(card('4.0', 'FN:Lager Team', prop), env);
    expect(v.removed).toBe(removed);
    expect(v.text).toContain('FN:Lager Team');
    expect(v.text).not.toMatch(/shopmail|Ym9i|data:/i);
  });

  it('joins a quoted-printable value over soft line breaks (vCard 2.1), then masks it', () => {
    const v = maskVcard(card('2.1', 'FN:Lager Team', 'NOTE;ENCODING=QUOTED-PRINTABLE:Mail bob.stone=', '=40shopmail.de: any=', ' day'), env);
    expect(v.text).toContain('NOTE:Mail [email removed]: any day');
    expect(v.text).not.toMatch(/shopmail/i);
  });

  it('keeps a note that starts with "Data:", a grouped property, a line ending in "=" outside quoted-printable', () => {
    const v = maskVcard(card('3.0', 'FN:Lager Team', 'NOTE:Data: 5 pallets', 'item1.TEL;TYPE=work:+49 30 1234', 'X-CODE:a=', 'TITLE:Lager'), env);
    expect(v.removed).toBe(0);
    expect(v.text).toContain('NOTE:Data: 5 pallets');
    expect(v.text).toContain('ITEM1.TEL;TYPE=work:+49 30 1234');
    expect(v.text).toContain('X-CODE:a=');
    expect(v.text).toContain('TITLE:Lager');
  });
});

describe('maskVcard: phonetic names', () => {
  it('removes phonetic given and family names that together name the writer, keeps others', () => {
    const v = maskVcard(card('3.0', 'FN:Jürgen Müller', 'X-PHONETIC-FIRST-NAME:Jürgen', 'X-PHONETIC-LAST-NAME:Müller'), env);
    expect(v.removed).toBe(2);
    expect(v.text).not.toMatch(/PHONETIC/);
    const kept = maskVcard(card('3.0', 'FN:Lager Team', 'X-PHONETIC-FIRST-NAME:Jürgen', 'X-PHONETIC-LAST-NAME:Team'), env);
    expect(kept.text).toContain('X-PHONETIC-FIRST-NAME:Jürgen');
    expect(kept.text).toContain('X-PHONETIC-LAST-NAME:Team');
  });
});

describe('maskVcard: vCard 2.1 parameters without a name (Outlook, older phones)', () => {
  it('reads them as TYPE and ENCODING instead of removing the card, and leaves quoted values and values alone', () => {
    const v = maskVcard(
      card(
        '2.1',
        'FN:Lager Team',
        'TEL;WORK;VOICE:+49 30 1234567',
        'NOTE;QUOTED-PRINTABLE:Mail bob.stone=40shopmail.de',
        'X-PHOTO;BASE64:AAAA',
        'ADR;WORK;PREF:;;Hafenstr. 1;Hamburg;;20457;Germany',
        'X-LABEL;X-NAME="a;b:c":kept;as;is',
      ),
      env,
    );
    expect(v.text).toContain('TEL;TYPE=WORK,VOICE:+49 30 1234567');
    expect(v.text).toContain('NOTE:Mail [email removed]');
    expect(v.text).not.toContain('X-PHOTO');
    expect(v.text).toContain(';;Hafenstr. 1;Hamburg;;20457;Germany');
    expect(v.text).toContain('X-NAME="a;b:c"');
    expect(v.removed).toBe(1);
  });
});
