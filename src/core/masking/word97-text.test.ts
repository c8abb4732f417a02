import CFB from 'cfb';
import { describe, expect, it } from 'vitest';
import { word97, type Level } from '../../../test/helpers/word97.js';
import { cleanOle, NotWhatItClaims } from './document-metadata.js';
import { docText } from './doc-text.js';
import { word97Bookmarks, word97Encrypted, word97LabelLetters } from './word97-text.js';

/** A .doc's text through its piece table (docText), null for every reason it cannot be read. */
function word97Text(word: Uint8Array, tables: { '0Table'?: Uint8Array; '1Table'?: Uint8Array }): string | null {
  try {
    return docText(word, (name) => tables[name]);
  } catch {
    return null;
  }
}

/** The WordDocument and table streams of a CFB file. */
function streams(bytes: Buffer): { word: Uint8Array; tables: { '1Table'?: Uint8Array } } {
  const c = CFB.read(bytes, { type: 'buffer' });
  const get = (name: string) => {
    const e = CFB.find(c, name);
    return e?.content ? Uint8Array.from(e.content as ArrayLike<number>) : undefined;
  };
  return { word: get('WordDocument') as Uint8Array, tables: { '1Table': get('1Table') } };
}

describe("a Word 97 file's text through its piece table (word97Text)", () => {
  it('joins the pieces in order, UTF-16 or compressed (cp1252), whatever order their bytes stand in', () => {
    const { word, tables } = streams(word97([{ text: 'Write to anna.weber@' }, { text: 'buyer.example \x93now\x94\r', compressed: true }], { stored: [1, 0] }));
    expect(word97Text(word, tables)).toBe('Write to anna.weber@buyer.example “now”\r');
    const one = streams(word97([{ text: 'Return label for A-1001\r' }]));
    expect(word97Text(one.word, one.tables)).toBe('Return label for A-1001\r');
  });

  it('is null for what it cannot read: no FIB, encrypted, no table stream, a piece outside the stream', () => {
    const { word, tables } = streams(word97([{ text: 'Return label for A-1001\r' }]));
    expect(word97Text(new Uint8Array(Buffer.from('Return label for A-1001', 'utf16le')), tables)).toBeNull();
    const encrypted = Uint8Array.from(word);
    encrypted[0x0b] = (encrypted[0x0b] as number) | 0x01;
    expect(word97Text(encrypted, tables)).toBeNull();
    // An encrypted file's text cannot be checked: cleanOle removes it, an ordinary one is not.
    expect(word97Encrypted(encrypted)).toBe(true);
    expect(word97Encrypted(word)).toBe(false);
    const c = CFB.read(word97([{ text: 'x' }]), { type: 'buffer' });
    const stream = CFB.find(c, 'WordDocument') as CFB.CFB$Entry;
    const locked = Buffer.from(stream.content as Uint8Array);
    locked[0x0b] = (locked[0x0b] as number) | 0x01;
    stream.content = locked;
    expect(() => cleanOle(Buffer.from(CFB.write(c, { type: 'buffer' }) as Uint8Array), 'application/msword')).toThrow(NotWhatItClaims);
    expect(word97Text(word, {})).toBeNull();
    const outside = Uint8Array.from(tables['1Table'] as Uint8Array);
    // The first piece's fc (after a 5-byte Prc, the Pcdt's 5 bytes and two CPs) pointed past the end.
    new DataView(outside.buffer).setUint32(5 + 5 + 8 + 2, 0x00ffffff, true);
    expect(word97Text(word, { '1Table': outside })).toBeNull();
    // A Pcdt whose length does not fit its PlcPcd.
    const torn = Uint8Array.from(tables['1Table'] as Uint8Array);
    new DataView(torn.buffer).setUint32(5 + 1, 7, true);
    expect(word97Text(word, { '1Table': torn })).toBeNull();
  });

  it("is read by cleanOle with its fields and note marks (a .doc's own marks)", () => {
    const doc = (text: string) => word97([{ text: `Return label for A-1001\r${text}\r` }]);
    expect(
      cleanOle(word97([{ text: 'anna.weber@' }, { text: 'buyer.example\r', compressed: true }], { stored: [1, 0] }), 'application/msword').readings,
    ).toContain('anna.weber@buyer.example\r');
    // A bare bookmark name and a REF show the bookmark's text (the @ after `Mention us with `); a REF
    // to a bookmark holding a REF is refused, one to a name not there shows its stored result.
    const at = { name: 'At', from: 24 + 16, to: 24 + 17 };
    const mention = (field: string, bookmarks = [at]) =>
      cleanOle(word97([{ text: `Return label for A-1001\rMention us with @ today. anna.weber${field}buyer.example\r` }], { bookmarks }), 'application/msword');
    for (const field of ['\u0013 at \u0014-\u0015', '\u0013 REF At \\h \u0014-\u0015'])
      expect(
        mention(field).readings.some((r) => r.includes('anna.weber@buyer.example')),
        field,
      ).toBe(true);
    expect(mention('\u0013 REF nothing \\h \u0014-\u0015').readings.some((r) => r.includes('anna.weber-buyer.example'))).toBe(true);
    // `loop` spans the text and its own REF (whole, 91 characters), `past` ends past the text.
    expect(() => mention('\u0013 REF loop \u0014-\u0015', [{ name: 'loop', from: 0, to: 91 }])).toThrow(NotWhatItClaims);
    expect(() => mention('\u0013 REF past \u0014-\u0015', [{ name: 'past', from: 0, to: 200 }])).toThrow(NotWhatItClaims);
    expect(
      mention('\u0013 REF fine \u0014-\u0015', [
        { name: 'fine', from: 0, to: 6 },
        { name: 'loop', from: 0, to: 91 },
      ]).readings,
    ).toContain('Return label for A-1001\rMention us with @ today. anna.weberReturnbuyer.example\r');
    expect(() => cleanOle(doc('anna.weber @ buyer.\u0002'), 'application/msword')).toThrow(NotWhatItClaims);
    // Whatever type it was declared as (a generic type is sniffed as OLE).
    expect(() => cleanOle(doc('anna.weber @ buyer.\u0002'), 'application/octet-stream')).toThrow(NotWhatItClaims);
    expect(cleanOle(doc('See the note\u0002. Page \u0013 PAGE \u00141\u0015'), 'application/msword').readings).toContain(
      'Return label for A-1001\rSee the note. Page 1\r',
    );
  });

  it('finds list levels whose letters may join an address or a name (word97LabelLetters), keeps ordinary lists', () => {
    const letters = (...lists: Level[][]) => {
      const { word, tables } = streams(word97([{ text: 'Return label for A-1001\r' }], { lists }));
      return word97LabelLetters(word, tables);
    };
    const nine = (first: Level, rest: Level = { nfc: 0, label: '\u0001.' }): Level[] => [first, ...Array.from({ length: 8 }, () => rest)];
    // An at-sign in the label, a letter glued to the label's text, a letter with nothing after it.
    expect(letters([{ nfc: 4, label: 'anna.weber@buyer.exampl\u0000' }])).toBe(true);
    expect(letters([{ nfc: 3, label: 'Anna Webe\u0000' }])).toBe(true);
    expect(letters([{ nfc: 2, label: '\u0000', follow: 2 }])).toBe(true);
    // A level shown through another's placeholder: the second level's roman number glued to a word.
    expect(letters(nine({ nfc: 0, label: '\u0000.' }, { nfc: 2, label: 'x\u0001' }))).toBe(true);
    // Ordinary lists: (a), i., A) and 1 with nothing after it, a bullet, an outline 1.a with a tab.
    for (const lists of [
      [[{ nfc: 4, label: '(\u0000)' }]],
      // A Chinese article label (第一条): the number in Chinese counting between Han letters.
      [[{ nfc: 39, label: '第\u0000条' }]],
      [[{ nfc: 2, label: '\u0000.', follow: 1 }]],
      [[{ nfc: 3, label: '\u0000)' }]],
      [[{ nfc: 0, label: '\u0000', follow: 2 }]],
      [[{ nfc: 23, label: '\uf0b7', follow: 2 }]],
      [nine({ nfc: 0, label: '\u0000.' }, { nfc: 4, label: '\u0000.\u0001' })],
      [],
    ] as Level[][][])
      expect(letters(...lists), JSON.stringify(lists)).toBe(false);
    // Cut short: what was read is judged, the rest not.
    const { word, tables } = streams(word97([{ text: 'x' }], { lists: [[{ nfc: 4, label: 'x@y.\u0000' }]] }));
    expect(word97LabelLetters(word, { '1Table': (tables['1Table'] as Uint8Array).subarray(0, -4) })).toBe(false);
    expect(() => cleanOle(word97([{ text: 'x\r' }], { lists: [[{ nfc: 4, label: 'x@y.\u0000' }]] }), 'application/msword')).toThrow(NotWhatItClaims);
  });

  it('reads the bookmark tables (word97Bookmarks): names lowercased, each start with its end; null when they cannot be read', () => {
    const bookmarks = [
      { name: 'At', from: 3, to: 4 },
      { name: '_Ref1', from: 0, to: 9 },
    ];
    const { word, tables } = streams(word97([{ text: 'Return label\r' }], { bookmarks }));
    expect(word97Bookmarks(word, tables)).toEqual(
      new Map([
        ['at', { from: 3, to: 4 }],
        ['_ref1', { from: 0, to: 9 }],
      ]),
    );
    const none = streams(word97([{ text: 'x' }]));
    expect(word97Bookmarks(none.word, none.tables)).toEqual(new Map());
    // SttbfBkmk without fExtend, or cut short.
    const cut = Uint8Array.from(word);
    new DataView(cut.buffer).setUint32(0x146, 5, true);
    expect(word97Bookmarks(cut, tables)).toBeNull();
    // Then a REF is refused.
    const c = CFB.read(word97([{ text: 'Mention @. anna.weber\u0013 REF at \u0014-\u0015buyer.example\r' }], { bookmarks }), { type: 'buffer' });
    const stream = CFB.find(c, 'WordDocument') as CFB.CFB$Entry;
    const broken = Buffer.from(stream.content as Uint8Array);
    broken.writeUInt32LE(5, 0x146);
    stream.content = broken;
    expect(() => cleanOle(Buffer.from(CFB.write(c, { type: 'buffer' }) as Uint8Array), 'application/msword')).toThrow(NotWhatItClaims);
  });
});

describe('word97LabelLetters on hostile input', () => {
  it('reads 60 lists whose labels hold 60 000 placeholders each (quadratic would pass the test timeout)', async () => {
    const { wordStreams } = await import('../../../test/fixtures/legacy-office.js');
    const s = wordStreams(['x\r']);
    const lists = 60;
    const n = 60_000;
    const plf = Buffer.alloc(2 + 28 * lists);
    plf.writeUInt16LE(lists, 0);
    for (let l = 0; l < lists; l++) plf[2 + l * 28 + 26] = 1; // simple: one level
    const lvlf = Buffer.alloc(28);
    lvlf[4] = 1; // roman numerals: letters
    const lvl = Buffer.concat([lvlf, Buffer.from([n & 0xff, n >> 8]), Buffer.alloc(n * 2)]);
    const at = s['1Table'].length;
    s.WordDocument.writeUInt32LE(at, 0x9a + 73 * 8);
    s.WordDocument.writeUInt32LE(plf.length, 0x9a + 73 * 8 + 4);
    const table = Buffer.concat([s['1Table'], plf, ...Array.from({ length: lists }, () => lvl)]);
    expect(word97LabelLetters(s.WordDocument, { '1Table': table })).toBe(false);
    // Quadratic, 20 lists took about 20 s (a second a label), so 60 run past the 30 s test timeout,
    // which is what fails then; linear, the reading takes well under a second. No clock is read.
  });
});
