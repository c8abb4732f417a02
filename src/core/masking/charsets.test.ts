import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetStream, knowsCharset, readCharset } from './charsets.js';
import { plainHeaderText, UNREAD, withoutEncodedWords } from './encoded-words.js';
import { decodeText } from './part-handlers.js';

const bytes = (s: string, cs: string) => new Uint8Array(iconv.encode(s, cs));
const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

describe('readCharset reads what mail programs read', () => {
  it.each([
    ['utf-7', ascii('anna+AEA-shop.example'), 'anna@shop.example'],
    ['"UTF-7"', ascii('Gr+APwA3w-e'), 'Grüße'],
    ['unicode-1-1-utf-7', ascii('anna+AEA-shop.example'), 'anna@shop.example'],
    ['utf-32le', bytes('anna@shop.example', 'utf32le'), 'anna@shop.example'],
    ['UTF-32BE', bytes('München', 'utf32be'), 'München'],
    ['windows-1252', new Uint8Array([0x80, 0x20, 0x93, 0x61, 0x94]), '€ “a”'],
    ['iso-8859-1', new Uint8Array([0x80]), '€'],
    ['cp437', new Uint8Array([0x81]), 'ü'],
    ['win-1251', new Uint8Array([0xc0]), 'А'],
    ['ks_c_5601-1987', bytes('한', 'euc-kr'), '한'],
    ['utf-16', new Uint8Array([0xfe, 0xff, 0, 0x61, 0, 0x40]), 'a@'],
    ['UTF-16', new Uint8Array([0xff, 0xfe, 0x61, 0, 0x40, 0]), 'a@'],
    ['unicode', new Uint8Array([0, 0x61, 0, 0x40, 0, 0x62]), 'a@b'],
  ])('%s', (label, input, text) => {
    expect(readCharset(input, label)).toBe(text);
  });

  it.each(['ibm037', 'IBM500', 'cp1047', 'ebcdic-cp-us', 'iso-2022-kr', 'x-made-up', 'base64', 'hex'])('knows no %s: null, never a guess', (label) => {
    expect(knowsCharset(label)).toBe(false);
    expect(readCharset(ascii('abc'), label)).toBeNull();
  });

  it('reads a text cut anywhere into chunks as it reads it whole (UTF-7 shifts, UTF-32 and UTF-8 characters split)', () => {
    const text = 'Grüße an anna@shop.example — 東京 😀 end';
    for (const cs of ['utf-7', 'utf-32le', 'utf-8', 'utf-16be', 'windows-1252', 'shift_jis']) {
      const whole = cs === 'windows-1252' ? bytes('Grüße “a” €', 'windows-1252') : bytes(text, cs);
      const expected = readCharset(whole, cs);
      for (const size of [1, 2, 3, 5, 7]) {
        const s = charsetStream(cs)!;
        let out = '';
        for (let i = 0; i < whole.length; i += size) out += s.write(whole.subarray(i, i + size));
        out += s.end();
        expect(out, `${cs} in ${size}-byte chunks`).toBe(expected);
      }
    }
    expect(charsetStream('ibm037')).toBeNull();
  });
});

describe('decodeText: a text part', () => {
  it('is read by its declared UTF-32 even when its byte-order mark begins like UTF-16’s (FF FE 00 00)', () => {
    expect(decodeText(new Uint8Array([0xff, 0xfe, 0, 0, ...bytes('a@b.example', 'utf32le')]), 'utf-32le')).toBe('a@b.example');
    expect(decodeText(bytes('a@b.example', 'utf32be'), 'utf-32')).toBe('a@b.example');
  });
  it('is read by its byte-order mark when declared UTF-16 without a byte order (big-endian, as Java writes it)', () => {
    expect(decodeText(new Uint8Array([0xfe, 0xff, 0, 0x61, 0, 0x40, 0, 0x62]), 'utf-16')).toBe('a@b');
  });
  it('is read as UTF-7 when declared so', () => {
    expect(decodeText(ascii('anna+AEA-shop.example'), 'utf-7')).toBe('anna@shop.example');
  });
  it('is null (removed by its handler) in a charset no decoder here knows', () => {
    expect(decodeText(new Uint8Array([0x81, 0x95, 0x95, 0x81, 0x7c]), 'ibm037')).toBeNull();
  });
  it('reads an undeclared or "unknown-8bit" text as UTF-8, else Windows-1252, as before', () => {
    expect(decodeText(ascii('abc'), null)).toBe('abc');
    expect(decodeText(new Uint8Array([0xfc]), 'unknown-8bit')).toBe('ü');
    expect(decodeText(new Uint8Array(Buffer.from('ü')), 'iso-8859-1')).toBe('ü');
  });
});

describe('plainHeaderText: a header text as the reader’s program shows it', () => {
  const q = (cs: string, s: string) => `=?${cs}?Q?${s}?=`;
  const b = (cs: string, s: string) => `=?${cs}?B?${Buffer.from(s, 'latin1').toString('base64')}?=`;
  it.each([
    ['an UTF-7 word', `Re: ${q('utf-7', 'anna+AEA-shop.example')}`, 'Re: anna@shop.example'],
    ['an UTF-32 word', `=?utf-32be?B?${Buffer.from(iconv.encode('a@b.de', 'utf32be')).toString('base64')}?=`, 'a@b.de'],
    ['an encoded word inside one', b('utf-8', q('utf-7', 'anna+AEA-shop.example')), 'anna@shop.example'],
    ['a word not between blanks (Thunderbird decodes it)', `x${q('utf-7', 'anna+AEA-shop.example')}y`, 'xanna@shop.exampley'],
    ['neighbours in one charset read together (a character split between them)', `${b('utf-8', '\xc3')} ${b('utf-8', '\xbc')}`, 'ü'],
    ['a word in a charset not read here', `Hi ${q('ibm037', '=81=95=95=81')}`, `Hi ${UNREAD}`],
    ['text with no words', 'Order A-1001 =? not a word ?=', 'Order A-1001 =? not a word ?='],
    ['a word whose charset is longer than RFC 2047 allows (libmime decodes it), not left', `x ${b(`utf-8*${'a'.repeat(80)}`, 'a@b')} y`, `x ${UNREAD} y`],
  ])('%s', (_, input, shown) => {
    expect(plainHeaderText(input)).toBe(shown);
  });

  it('withoutEncodedWords: a word the masking made, with blanks and brackets inside, is not left for the reader to decode', () => {
    expect(withoutEncodedWords(`Re: =?utf-8?B?${Buffer.from('a@b.example').toString('base64')} [email removed]?= ok`)).toBe(`Re: ${UNREAD} ok`);
    expect(withoutEncodedWords('Order A-1001 =? not a word ?=')).toBe('Order A-1001 =? not a word ?=');
  });

  it('leaves no encoded word however deep they are nested', () => {
    let s = 'anna@shop.example';
    for (let k = 0; k < 12; k++) s = b('utf-8', s);
    expect(plainHeaderText(s)).not.toMatch(/=\?/);
  });

  it('reads a header of 200 000 words without quadratic work (the test times out otherwise)', () => {
    const s = `${q('utf-7', 'a+AEA-b')} `.repeat(200_000);
    expect(plainHeaderText(s).trim()).toHaveLength('a@b'.length * 200_000);
  });
});
