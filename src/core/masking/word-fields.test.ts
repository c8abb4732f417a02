import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { cleanOoxml } from './document-metadata.js';
import { NotWhatItClaims } from './not-what-it-claims.js';
import {
  docxNoteMarks,
  fieldSources,
  NOTE_MARK,
  noteFormats,
  pagesAsLetters,
  pagesAsRoman,
  type FieldSources,
  type NoteFormats,
} from './word-field-sources.js';
import { bookmarkTexts, docxFieldMarks, fieldsShown, withoutDeletions } from './word-fields.js';

// A field as a .doc keeps it: U+0013 instruction U+0014 result U+0015.
const field = (instruction: string, result = '') => `\u0013${instruction}\u0014${result}\u0015`;
const sources: FieldSources = {
  variables: new Map([['at', '@']]),
  properties: new Map([
    ['title', 'Return form'],
    ['domain', 'buyer.example'],
  ]),
};
const shown = (text: string, strict = true) => fieldsShown(text, sources, strict);

describe('Word fields as Word shows them once it updates them (fieldsShown)', () => {
  it.each([
    ['SYMBOL 64, a decoy result', `anna.weber${field(' SYMBOL 64 ', '-')}buyer.example`, 'anna.weber@buyer.example'],
    ['SYMBOL in hexadecimal, with a font and a size', `anna.weber${field(' SYMBOL 0x40 \\f "Arial" \\s 12 ')}buyer.example`, 'anna.weber@buyer.example'],
    ["a symbol font's F040", `anna.weber${field(' SYMBOL 61504 \\f Symbol ')}buyer.example`, 'anna.weber@buyer.example'],
    ['QUOTE of a literal', `anna.weber${field(' QUOTE "@buyer.example" ', 'x')}`, 'anna.weber@buyer.example'],
    ['QUOTE holding a nested SYMBOL', `anna.weber${field(` QUOTE "${field(' SYMBOL 64 ')}buyer.example" `, 'x')}`, 'anna.weber@buyer.example'],
    ['QUOTE with an escaped quote, a format switch', `${field(' QUOTE "say \\"hi\\"" \\* Upper ')}`, 'say "hi"'],
    ['DOCVARIABLE, from settings.xml', `anna.weber${field(' DOCVARIABLE at ')}buyer.example`, 'anna.weber@buyer.example'],
    ['DOCPROPERTY, from the properties', `anna.weber@${field(' DOCPROPERTY "domain" ', 'x')}`, 'anna.weber@buyer.example'],
    ['AUTHOR with a literal, which it sets and shows', `${field(' AUTHOR "anna.weber@buyer.example" ')}`, 'anna.weber@buyer.example'],
    ["a date's picture, its quoted text as written", `${field(" DATE \\@ \"'anna.weber'@'buyer.example'\" ", '30 Nov')}`, 'anna.weber@buyer.example'],
    ["a formula's picture", `anna.weber${field(' = 1 \\# "\'@\'" ', '1')}buyer.example`, 'anna.weber@buyer.example'],
    ["a merge field's text before it", `anna.weber${field(' MERGEFIELD x \\b "@" ', 'buyer.example')}`, 'anna.weber@buyer.example'],
    ['the text a button shows', `${field(' MACROBUTTON NoMacro anna.weber@buyer.example ')}`, 'anna.weber@buyer.example'],
    [
      "a page number's picture, its text instead of the stored result",
      `anna.weber${field(' PAGE \\# "\'@\'0" ', '1')}buyer.example`,
      'anna.weber@0buyer.example',
    ],
    ["a sequence's picture", `anna.weber${field(' SEQ x \\c \\# "\'@buyer.example\'" ', '0')}`, 'anna.weber@buyer.example'],
    [
      "a merge field's picture, between its \\b and \\f",
      `${field(' MERGEFIELD n \\# "\'weber\'" \\b "anna." \\f "@buyer.example" ', '5')}`,
      'anna.weber@buyer.example',
    ],
    ['USERNAME with a literal, which it sets and shows', `anna.weber${field(' USERNAME "@b" ', '-')}uyer.example`, 'anna.weber@buyer.example'],
    ['USERADDRESS with a literal', `anna.weber${field(' USERADDRESS "@buyer.example" ', '-')}`, 'anna.weber@buyer.example'],
    ["a date property's picture", `anna.weber${field(' DOCPROPERTY CreateTime \\@ "\'@b\'" ', '-')}uyer.example`, 'anna.weber@buyer.example'],
    ["a number property's picture", `anna.weber${field(' DOCPROPERTY Pages \\# "\'@b\'" ', '-')}uyer.example`, 'anna.weber@buyer.example'],
    ['entities in the instruction (a docx) decoded', `anna.weber${field(' QUOTE &quot;&#64;&quot; ')}buyer.example`, 'anna.weber@buyer.example'],
  ])('reads %s', (_name, text, expected) => expect(shown(text)).toBe(expected));

  // Fields that show their stored result, or a number or date nothing in them writes: kept as stored.
  it.each([
    ['page numbers', `Page ${field(' PAGE ', '1')} of ${field(' NUMPAGES \\* MERGEFORMAT ', '2')}`, 'Page 1 of 2'],
    ['a date without a picture', field(' DATE ', '30/11/2026'), '30/11/2026'],
    ['a table of contents holding page references', field(' TOC \\o "1-3" \\h ', `Returns${field(' PAGEREF _Toc1 \\h ', '2')}`), 'Returns2'],
    ['a cross-reference, a bare bookmark name', `${field(' REF order \\h ', 'A-1001')} ${field(' order ', 'A-1001')}`, 'A-1001 A-1001'],
    ['a link with its text', field(' HYPERLINK "https://shop.example/orders" ', 'your order'), 'your order'],
    ['a merge field with its result', field(' MERGEFIELD FirstName ', 'Anna'), 'Anna'],
    ['a formula (a number)', field(' = SUM(ABOVE) \\# "#,##0.00" ', '12.00'), '#,##0.00'],
    ['a formula without a picture', field(' =2*3 ', '6'), '0'],
    ['a picture whose sections differ only in sign and currency', field(' = SUM(ABOVE) \\# "#,##0.00 €;(#,##0.00 €);\'—\'" ', '1'), '#,##0.00 €'],
    ["a picture's quoted semicolon is no section", field(' = 1 \\# "0\';\'" ', '1'), '0;'],
    ['a page number with a picture of digits', field(' PAGE \\# "00" ', '01'), '00'],
    ['a lowercase field name', field(' page ', '3'), '3'],
    ['roman page numbers, several formats', field(' PAGE \\* roman \\* MERGEFORMAT ', 'iv'), 'iv'],
    ['a number format that shows digits', field(' SEQ Table \\* ARABIC ', '2'), '2'],
    [
      'an index with a tab before its pages, an entry without a cross-reference',
      `${field(' XE "Returns" ')}${field(' INDEX \\e "	" \\h "A" \\c "2" ', 'Returns	2')}`,
      'Returns	2',
    ],
    ["the reader's own name (no literal): its stored result", field(' USERNAME \\* MERGEFORMAT ', 'J. Doe'), 'J. Doe'],
    ['a text property with a date picture: its text', field(' DOCPROPERTY domain \\@ "d MMMM yyyy" ', 'x'), 'buyer.example'],
    ['a locked field, whatever it is', `\u0013\ufdd0 INCLUDETEXT "x.txt" \u0014kept\u0015`, 'kept'],
    ['a variable Word does not know: its stored result', field(' DOCVARIABLE nope ', 'x'), 'x'],
    ['text with no field marks: QUOTE and IF as words', 'QUOTE "x" IF you like', 'QUOTE "x" IF you like'],
    ['a field never closed: what it holds', `a${'\u0013'} QUOTE "x" \u0014b`, 'a QUOTE "x" b'],
  ])('keeps %s', (_name, text, expected) => expect(shown(text)).toBe(expected));

  // Text Word fetches, asks for, chooses or sets, which nothing here can know: the document is removed.
  it.each([
    ['INCLUDETEXT', field(' INCLUDETEXT "https://files.example/at.txt" ')],
    ['INCLUDEPICTURE', field(' INCLUDEPICTURE "https://files.example/at.png" \\d ')],
    ['IF', field(' IF 1 = 1 "@" "x" ')],
    ['SET, whose bookmark a REF shows', field(' SET at "@" ')],
    ['FILLIN, ASK', field(' FILLIN "Your address?" \\d "anna.weber@buyer.example" ')],
    ['a link to another file', field(' LINK Word.Document.12 "C:\\\\a.docx" ')],
    ['DDEAUTO', field(' DDEAUTO excel "sheet" ')],
    ['ADDRESSBLOCK', field(' ADDRESSBLOCK \\f "<<_FIRST0_>>" ')],
    ['nested inside a kept field', field(' TOC ', field(' INCLUDETEXT "x" '))],
    ['an instruction that names no field (a docx)', field(' anna.weber@x ')],
    ['a switch for a name (a docx)', field(' \\* Upper ')],
    ['a formula shown as a letter', field(' = 18 \\* alphabetic ', 'x')],
    ['a sequence reset to a number, shown as words', field(' SEQ x \\r 18 \\* CardText ', 'x')],
    ["a picture's zero section showing other text (SEQ \\c before any item is 0)", field(' SEQ x \\c \\# "0;0;\'@\'" ', '-')],
    ["a formula's negative section showing other text", field(' = 0-1 \\# "0;\'anna.weber\'" ', '-')],
    ["an index entry with a cross-reference's text (XE \\t)", field(' XE "anna.weber" \\t "buyer.example" ')],
    ['an index whose separator holds more than blanks, commas and dashes', field(' INDEX \\e "@" ', 'Index')],
    ['a table of authorities whose page separator holds a letter', field(' TOA \\c 1 \\l "x" ', 'Cases')],
    ['an inline list number (LISTNUM), letters in most levels', field(' LISTNUM NumberDefault \\l 2 \\s 5 ', 'a)')],
    ['a page number shown as a letter', field(' PAGE \\* ALPHABETIC \\* MERGEFORMAT ', 'x')],
  ])('refuses %s', (_name, text) => expect(() => shown(text)).toThrow(NotWhatItClaims));

  it('refuses a page number when a section numbers its pages as letters, keeps it in digits or roman', () => {
    const letters = { ...sources, pageLetters: pagesAsLetters('<w:sectPr><w:pgNumType w:fmt="lowerLetter" w:start="18"/></w:sectPr>') };
    expect(() => fieldsShown(field(' PAGE ', '1'), letters, true)).toThrow(NotWhatItClaims);
    expect(fieldsShown(field(' PAGE \\* Arabic ', '1'), letters, true)).toBe('1');
    for (const f of [' PAGEREF _Toc1 \\h ', ' TOC \\o "1-3" ', ' INDEX ']) expect(() => fieldsShown(field(f, '1'), letters, true), f).toThrow(NotWhatItClaims);
    for (const fmt of ['decimal', 'lowerRoman', 'upperRoman', 'decimalZero']) expect(pagesAsLetters(`<w:pgNumType w:fmt="${fmt}"/>`), fmt).toBe(false);
    expect(pagesAsLetters("<w:pgNumType w:start='1' w:fmt='cardinalText'/>")).toBe(true);
    expect(pagesAsLetters('<w:pgNumType w:start="3"/>')).toBe(false);
  });

  it('refuses a roman page number where a domain after an @ goes on, keeps it elsewhere', () => {
    const roman = { ...sources, pageRoman: pagesAsRoman('<w:sectPr><w:pgNumType w:fmt="upperRoman" w:start="6"/></w:sectPr>') };
    // Page 6 is vi, 10 x (buyer.m + x: mx), 400 cd: top-level domains.
    for (const [text, s] of [
      [`anna.weber @ buyer.${field(' PAGE \\* roman ', '1')}`, sources],
      [`anna.weber @ buyer.m${field(' PAGE \\* ROMAN \\* MERGEFORMAT ', '1')}`, sources],
      [`anna.weber @ buyer .${field(' SECTIONPAGES \\* roman ', '1')}`, sources],
      [`anna.weber @\nbuyer. (note)${field(' NUMPAGES \\* roman ', '1')}`, sources],
      [`anna.weber＠buyer.${field(' PAGE \\* roman ', '1')}`, sources],
      [`anna.weber &#64; buyer.${field(' PAGE \\* roman ', '1')}`, sources],
      [`anna.weber @ buyer.${field(' PAGE ', '1')}`, roman],
      [`anna.weber @ buyer.${field(' PAGEREF p \\h ', '1')}`, roman],
      [`anna.weber @ ${field(' PAGE \\* roman ', '1')}`, sources],
      // Nested: the field may show the dot (`buyer .vi`), or the @ itself.
      [`anna.weber @ buyer ${field(` QUOTE ".${field(' PAGE \\* roman ', '1')}" `)}`, sources],
      [`${field(` QUOTE "anna.weber @ buyer.${field(' PAGE \\* roman ', '1')}" `)}`, sources],
      [`anna.weber${field(' SYMBOL 64 ')}buyer.${field(' PAGE \\* roman ', '1')}`, sources],
      // A result shown as it is goes on from the text before the field (`buyer .vi`).
      [`anna.weber @ buyer ${field(' HYPERLINK "https://x.example" ', `.${field(' PAGE \\* roman ', '1')}`)}`, sources],
    ] as const)
      expect(() => fieldsShown(text, s, true), text).toThrow(NotWhatItClaims);
    // Prefaces, a handle before a page number, a sentence's end, an address done, the arabic switch.
    for (const [text, s, expected] of [
      [`Preface, page ${field(' PAGE ', 'iv')} of ${field(' NUMPAGES \\* roman ', 'xii')}`, roman, 'Preface, page iv of xii'],
      [`Follow @acme on social media, page ${field(' PAGE \\* roman ', 'vi')}`, sources, 'Follow @acme on social media, page vi'],
      [`Mention @acme.\n${field(' PAGE ', 'vi')}`, roman, 'Mention @acme.\nvi'],
      [`info@shop.example · ${field(' PAGE \\* roman ', 'vi')}`, sources, 'info@shop.example · vi'],
      [`info@shop.example\n${field(' PAGE \\* roman ', 'vi')}`, sources, 'info@shop.example\nvi'],
      // A table of contents whose heading holds an address, its page in a result.
      [field(' TOC \\o "1-3" \\h ', `Write to help@shop.example\t${field(' PAGEREF _Toc1 \\h ', 'iv')}`), roman, 'Write to help@shop.example\tiv'],
      [`anna.weber @ buyer.${field(' PAGE \\* Arabic ', '6')}`, roman, 'anna.weber @ buyer.6'],
      [`anna.weber @ buyer.${field(' PAGE ', '6')}`, sources, 'anna.weber @ buyer.6'],
    ] as const)
      expect(fieldsShown(text, s, true), text).toBe(expected);
    // Linear: many roman page numbers on one line after an @ each.
    const many = `Follow @acme, page ${field(' PAGE \\* roman ', 'vi')} `.repeat(50_000);
    expect(fieldsShown(many, roman, true).length).toBeGreaterThan(0);
    expect(pagesAsRoman('<w:pgNumType w:fmt="lowerRoman"/>')).toBe(true);
    expect(pagesAsRoman('<w:pgNumType w:fmt="lowerLetter"/>')).toBe(false);
  });

  it('refuses a note mark in letters or roman numerals where a domain after an @ goes on, keeps it elsewhere', () => {
    const m = NOTE_MARK;
    // The sixth note in lowerRoman is vi; buyer.m + x (the 24th in lowerLetter) is mx.
    for (const text of [
      `anna.weber @ buyer.${m}`,
      `anna.weber @ buyer.m${m}`,
      `anna.weber @ buyer .${m}`,
      `anna.weber @ bu${m}`,
      `anna.weber @\nbuyer. (note)${m}`,
      `anna.weber＠buyer.${m}`,
      `anna.weber @ buyer${field(' HYPERLINK "https://x.example" ', `.${m}`)}`,
      `anna.weber${field(' SYMBOL 64 ')}buyer.${m}`,
    ])
      expect(() => fieldsShown(text, sources, true), text).toThrow(NotWhatItClaims);
    // NOTEREF shows a note's number in the note's format too.
    const lettered = { ...sources, noteLetters: true };
    expect(() => fieldsShown(`anna.weber @ buyer.${field(' NOTEREF _Ref1 \\h ', '1')}`, lettered, true)).toThrow(NotWhatItClaims);
    expect(fieldsShown(`anna.weber @ buyer.${field(' NOTEREF _Ref1 \\h ', '1')}`, sources, true)).toBe('anna.weber @ buyer.1');
    expect(fieldsShown(`See note ${field(' NOTEREF _Ref1 \\h ', 'vi')}`, lettered, true)).toBe('See note vi');
    // After words, a handle and a blank, a sentence's end and a new line, an address done before a separator.
    for (const [text, expected] of [
      [`See the terms${m} and the notes${m}.`, 'See the terms and the notes.'],
      [`Follow @acme on social media${m}`, 'Follow @acme on social media'],
      [`Thanks to @acme, the team${m}`, 'Thanks to @acme, the team'],
      [`Mention @acme.\n${m}Our note`, 'Mention @acme.\nOur note'],
      [`info@shop.example · ${m}`, 'info@shop.example · '],
    ] as const)
      expect(fieldsShown(text, sources, true), text).toBe(expected);
    // Linear: many marks on one line after an @ each.
    const many = `Follow @acme, see${m} `.repeat(100_000);
    expect(fieldsShown(many, sources, true).length).toBeGreaterThan(0);
  });

  it('reads which notes show letters (noteFormats) and marks their references (docxNoteMarks)', () => {
    const formats = (xml: string) => {
      const into: NoteFormats = { lettered: new Set(), set: new Set() };
      noteFormats(xml, into);
      return [[...into.lettered].sort(), [...into.set].sort()];
    };
    expect(formats('<w:footnotePr><w:pos w:val="pageBottom"/><w:numFmt w:val="lowerRoman"/></w:footnotePr>')).toEqual([['footnote'], ['footnote']]);
    expect(
      formats('<w:sectPr><w:endnotePr><w:numFmt w:val="decimal"/></w:endnotePr><w:footnotePr><w:numFmt w:val="upperLetter"/></w:footnotePr></w:sectPr>'),
    ).toEqual([['footnote'], ['endnote', 'footnote']]);
    expect(formats("<w:endnotePr><w:numFmt w:val='chicago'/></w:endnotePr>")).toEqual([[], ['endnote']]);
    // A list's numFmt (numbering.xml), outside note properties, and a self-closed one: nothing.
    expect(formats('<w:lvl><w:numFmt w:val="lowerRoman"/></w:lvl><w:footnotePr/><w:numFmt w:val="lowerLetter"/>')).toEqual([[], []]);
    const xml =
      '<w:r><w:footnoteReference w:id="6"/></w:r><w:r><w:endnoteReference w:id="2"/></w:r><w:footnoteRef/>' +
      '<w:r><w:footnoteReference w:customMarkFollows="1" w:id="3"/><w:t>example</w:t></w:r>';
    expect(docxNoteMarks(xml, new Set(['footnote']))).toBe(
      `<w:r>${NOTE_MARK}</w:r><w:r><w:endnoteReference w:id="2"/></w:r>${NOTE_MARK}<w:r><w:footnoteReference w:customMarkFollows="1" w:id="3"/><w:t>example</w:t></w:r>`,
    );
    expect(docxNoteMarks(xml, new Set())).toBe(xml);
    // A mark already in the XML (not allowed there) is dropped with the field marks.
    expect(docxFieldMarks(`a${NOTE_MARK}b`)).toBe('ab');
  });

  it('refuses DOCVARIABLE without the variables (a .doc), reads junk between marks as stored (a .doc stream read whole)', () => {
    expect(() => fieldsShown(field(' DOCVARIABLE at '), null, false)).toThrow(NotWhatItClaims);
    expect(fieldsShown(`x${field('\u0000\u0007\u00ff junk', 'r')}y`, null, false)).toBe('xry');
    expect(fieldsShown('\u0013'.repeat(40), null, false)).toBe('');
  });

  it('refuses in a .doc a field whose text comes from its bookmarks, styles, notes or page format, keeps ordinary fields', () => {
    // `pieces`: the text read through the piece table, where every mark is Word's own.
    const doc = (text: string, pieces = true) => fieldsShown(text, null, false, pieces);
    for (const text of [
      `anna.weber${field(' REF at \\h ', '-')}buyer.example`,
      `anna.weber${field(' at ', '-')}buyer.example`,
      `anna.weber${field(' STYLEREF "At" ', '-')}buyer.example`,
      `See note ${field(' NOTEREF _Ref1 \\h ', '1')}`,
      // A paragraph's number (its list may show letters) where the domain goes on.
      `anna.weber @ buyer.exampl${field(' REF _Ref1 \\r ', '5')}`,
      // A page number (maybe letters or roman numerals) where the domain goes on, or glued to a word.
      `anna.weber @ buyer.${field(' PAGE ', '6')}`,
      `anna.weber @ buyer.${field(' NUMPAGES ', '6')}`,
      `Anna Webe${field(' PAGE ', '18')}`,
      `${field(' SECTIONPAGES ', '1')}nna.weber@buyer.example`,
      `${field(' PAGE ', '1')}@buyer.example`,
      `Anna Webe${field(' PAGEREF _Toc1 \\h ', '18')}`,
      `Anna Webe${field(` QUOTE "${field(' PAGE ', '18')}" `, '18')}`,
      // A note's mark where the domain goes on.
      `anna.weber @ buyer.${NOTE_MARK} today`,
    ])
      expect(() => doc(text), text).toThrow(NotWhatItClaims);
    for (const [text, expected] of [
      [`Page ${field(' PAGE ', '1')} of ${field(' NUMPAGES ', '2')}`, 'Page 1 of 2'],
      [`- ${field(' PAGE ', '1')} -, p.${field(' PAGE ', '1')}/${field(' NUMPAGES ', '2')}`, '- 1 -, p.1/2'],
      [`info@shop.example · page ${field(' PAGE ', '1')}`, 'info@shop.example · page 1'],
      [`Ref${field(' PAGE \\* Arabic ', '3')}`, 'Ref3'],
      [`第${field(' PAGE ', '1')}页`, '第1页'],
      [`${field(' TOC \\o "1-3" ', 'Contents\t2')}\rsee section ${field(' REF _Ref1 \\r \\h ', '2(a)')}`, 'Contents\t2\rsee section 2(a)'],
      [
        `${field(' HYPERLINK "https://shop.example" ', 'our shop')} ${field(' MERGEFIELD FirstName ', 'Anna')} ${field(' FORMTEXT ', 'A-1001')}`,
        'our shop Anna A-1001',
      ],
      [`${field(' CONTROL Forms.TextBox.1 \\s ', '')}the note${NOTE_MARK}.`, 'the note.'],
    ] as const)
      expect(doc(text), text).toBe(expected);
    // A bare name in a stream read whole (binary data between marks) reads as stored.
    expect(doc(`anna.weber${field(' at ', '-')}buyer.example`, false)).toBe('anna.weber-buyer.example');
    // With its bookmark tables read (word97Bookmarks): REF and a bare name show the bookmark's text,
    // a bare name only where the marks are Word's own; the rest as without them.
    const read: FieldSources = { variables: new Map(), properties: new Map(), word97: true, bookmarks: { texts: new Map([['at', '@']]), partial: false } };
    expect(fieldsShown(`anna.weber${field(' REF At \\h ', '-')}buyer.example`, read, false)).toBe('anna.weber@buyer.example');
    expect(fieldsShown(`anna.weber${field(' at ', '-')}buyer.example`, read, false, true)).toBe('anna.weber@buyer.example');
    expect(fieldsShown(`anna.weber${field(' at ', '-')}buyer.example`, read, false)).toBe('anna.weber-buyer.example');
    for (const f of [
      ' DOCVARIABLE at ',
      ' STYLEREF "At" ',
      ' NOTEREF _Ref1 ',
      ' IF 1 = 1 "@" ',
      ' SET x "@" ',
      ' ASK x "?" ',
      ' FILLIN "?" ',
      ' EQ \\o(@) ',
      ' ADDRESSBLOCK ',
      ' INCLUDETEXT "x" ',
      ' LISTNUM ',
      ' SEQ x \\* alphabetic ',
    ])
      for (const s of [read, null]) expect(() => fieldsShown(`x${field(f, '-')}y`, s, false, true), f).toThrow(NotWhatItClaims);
    // Linear: many page numbers after an @ and glued words.
    const many = `Follow @acme, page ${field(' PAGE ', '6')} `.repeat(50_000);
    expect(doc(many).length).toBeGreaterThan(0);
  });

  it('is linear on hostile marks and deep nesting', () => {
    expect(fieldsShown('\u0013\u0014\u0015\u0013'.repeat(250_000), null, false)).toBe('');
    expect(shown('\u0013\u0014\u0015'.repeat(300_000))).toBe('');
    // QUOTE inside QUOTE 30 deep, 1 000 times: each character copied once a level.
    const deep = `${'\u0013 QUOTE "'.repeat(30)}x${'" \u0014\u0015'.repeat(30)}`;
    expect(shown(deep.repeat(1000))).toBe('x'.repeat(1000));
    expect(() => shown('\u0013 QUOTE "'.repeat(40))).toThrow(NotWhatItClaims);
  });
});

describe("a docx's fields as a .doc keeps them (docxFieldMarks)", () => {
  it('marks simple and complex fields, locked ones, and drops marks the XML held', () => {
    expect(docxFieldMarks('<w:fldSimple w:instr=" SYMBOL 64 "><w:r><w:t>-</w:t></w:r></w:fldSimple>')).toBe(
      '\u0013 SYMBOL 64 \u0014<w:r><w:t>-</w:t></w:r>\u0015',
    );
    expect(docxFieldMarks("<w:fldSimple w:instr=' PAGE ' w:fldLock='1'/>")).toBe('\u0013\ufdd0 PAGE \u0014\u0015');
    expect(docxFieldMarks(`<w:fldChar w:fldCharType='begin' w:dirty="true"/><w:fldChar w:fldCharType="separate"/><w:fldChar w:fldCharType="end"/>`)).toBe(
      '\u0013\u0014\u0015',
    );
    expect(docxFieldMarks('<w:fldChar w:fldLock="on" w:fldCharType="begin"/>')).toBe('\u0013\ufdd0');
    // A value may hold `>`; an attribute's name inside another's value is not that attribute.
    expect(docxFieldMarks(`<w:fldSimple w:instr=' SYMBOL 64 \\f "a>b" '/>`)).toBe('\u0013 SYMBOL 64 \\f "a b" \u0014\u0015');
    expect(docxFieldMarks(`<w:fldSimple w:x=' w:instr="PAGE"' w:instr=" SYMBOL 64 "/>`)).toBe('\u0013 SYMBOL 64 \u0014\u0015');
    expect(docxFieldMarks(`<w:fldChar w:x=' w:fldLock="1"' w:fldCharType="begin"/>`)).toBe('\u0013');
    // Spelled as the schema does not: unlocked, so read as Word updates it.
    expect(docxFieldMarks('<w:fldChar w:fldLock="TRUE" w:fldCharType="begin"/>')).toBe('\u0013');
    expect(docxFieldMarks('<w:fldChar w:fldLock="false" w:fldCharType="begin"/>')).toBe('\u0013');
    // Attribute values as XML reads them (character references), any prefix.
    expect(docxFieldMarks('<x:fldChar x:fldCharType="&#98;egin"/><w:fldChar w:fldCharType="&#x73;eparate"/><fldChar fldCharType="end"/>')).toBe(
      '\u0013\u0014\u0015',
    );
    expect(docxFieldMarks('<w:t>\u0013\ufdd0a</w:t>')).toBe('<w:t>a</w:t>');
  });

  it('reads variables and properties as cleaned', () => {
    const s = fieldSources(
      '<w:settings><w:docVars><w:docVar w:name="At" w:val="@"/><w:docVar w:val=\'x\' w:name=\'d\'/></w:docVars></w:settings>',
      '<cp:coreProperties><dc:title>Return form</dc:title><dc:creator></dc:creator></cp:coreProperties>',
      '<Properties><Company></Company></Properties>',
      '<Properties><property fmtid="x" pid="2" name="Domain"><vt:i4>7</vt:i4></property></Properties>',
    );
    expect([...s.variables]).toEqual([
      ['at', '@'],
      ['d', 'x'],
    ]);
    expect(s.properties.get('title')).toBe('Return form');
    expect(s.properties.get('author')).toBe('');
    expect(s.properties.get('domain')).toBe('7');
  });
});

describe("a docx's text with its tracked changes accepted (withoutDeletions)", () => {
  it('drops deleted text and deleted pieces of an instruction, keeps the rest', () => {
    expect(
      withoutDeletions(
        '<w:r><w:t>anna.weber</w:t></w:r><w:del w:id="1"><w:r><w:delText xml:space="preserve">, </w:delText></w:r></w:del><w:r><w:t>@x</w:t></w:r>',
      ),
    ).toBe('<w:r><w:t>anna.weber</w:t></w:r><w:del w:id="1"><w:r></w:r></w:del><w:r><w:t>@x</w:t></w:r>');
    expect(withoutDeletions('<w:instrText> SYMBOL 6</w:instrText><w:delInstrText>5</w:delInstrText><w:instrText>4</w:instrText>')).toBe(
      '<w:instrText> SYMBOL 6</w:instrText><w:instrText>4</w:instrText>',
    );
    // Inserted text stays; a deletion never closed stays as it is.
    expect(withoutDeletions('<w:ins><w:r><w:t>x</w:t></w:r></w:ins><w:delText>y')).toBe('<w:ins><w:r><w:t>x</w:t></w:r></w:ins><w:delText>y');
  });
});

describe('what a cross-reference shows (bookmarkTexts)', () => {
  const none: FieldSources = { variables: new Map(), properties: new Map() };
  const mark = (id: string, name: string, text: string) =>
    `<w:bookmarkStart w:id="${id}" w:name="${name}"/><w:r><w:t>${text}</w:t></w:r><w:bookmarkEnd w:id="${id}"/>`;
  const plain = (xml: string) => xml.replace(/<[^<>]*>/g, '');

  it('reads each bookmark, overlapping too, its fields as Word shows them', () => {
    const b = bookmarkTexts(
      [`${mark('0', 'At', '@')}<w:bookmarkStart w:id="1" w:name="both"/>a${mark('2', 'sym', '<w:fldSimple w:instr=" SYMBOL 64 "/>')}<w:bookmarkEnd w:id="1"/>`],
      none,
      plain,
    );
    expect([...b.texts]).toEqual([
      ['at', '@'],
      ['sym', '@'],
      ['both', 'a@'],
    ]);
    expect(b.partial).toBe(false);
    const sources = { ...none, bookmarks: b };
    expect(fieldsShown(`anna.weber${field(' REF At \\h ', '-')}buyer.example`, sources, true)).toBe('anna.weber@buyer.example');
    expect(fieldsShown(`anna.weber${field(' at ', '-')}buyer.example`, sources, true)).toBe('anna.weber@buyer.example');
    // A paragraph number instead of the text, a bookmark the document does not hold: as stored.
    expect(fieldsShown(field(' REF at \\r ', '2.1'), sources, true)).toBe('2.1');
    expect(fieldsShown(field(' REF gone ', 'Error! Reference source not found.'), sources, true)).toBe('Error! Reference source not found.');
    // A number or a date in the bookmark shows through the field's picture; text as it is.
    const numbers = {
      ...none,
      bookmarks: {
        texts: new Map([
          ['n', '5'],
          ['d', '30.11.2026'],
          ['t', 'Returns'],
        ]),
        partial: false,
      },
    };
    expect(fieldsShown(`anna.weber${field(' REF n \\# "\'@b\'" ', '-')}uyer.example`, numbers, true)).toBe('anna.weber@buyer.example');
    expect(fieldsShown(`anna.weber${field(' d \\@ "\'@b\'" ', '-')}uyer.example`, numbers, true)).toBe('anna.weber@buyer.example');
    expect(() => fieldsShown(field(' REF n \\# "0;0;\'@\'" ', '-'), numbers, true)).toThrow(NotWhatItClaims);
    expect(fieldsShown(field(' REF t \\# "0.00" \\@ "d MMM" ', '-'), numbers, true)).toBe('Returns');
  });

  it('stays linear on nested bookmarks and refuses a REF to one it did not read', () => {
    const n = 20_000;
    let xml = '';
    for (let k = 0; k < n; k++) xml += `<w:bookmarkStart w:id="${k}" w:name="b${k}"/>x`;
    for (let k = n - 1; k >= 0; k--) xml += `<w:bookmarkEnd w:id="${k}"/>`;
    const b = bookmarkTexts([xml], none, plain);
    expect(b.partial).toBe(true);
    expect(() => fieldsShown(field(' REF b0 ', 'x'), { ...none, bookmarks: b }, true)).toThrow(NotWhatItClaims);
  });
});

describe('a Word document with fields (cleanOoxml)', () => {
  const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
  const run = (t: string) => `<w:r><w:t>${t}</w:t></w:r>`;
  const docx = (body: string, settings = '') =>
    zipSync({
      '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types/>'),
      'word/document.xml': strToU8(`<?xml version="1.0"?><w:document><w:body><w:p>${body}</w:p></w:body></w:document>`),
      'word/settings.xml': strToU8(`<?xml version="1.0"?><w:settings>${settings}</w:settings>`),
      'word/footer1.xml': strToU8(`<?xml version="1.0"?><w:ftr><w:p><w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p></w:ftr>`),
    });
  const complex = (instr: string, result: string, lock = '') =>
    `<w:r><w:fldChar w:fldCharType="begin"${lock}/></w:r><w:r><w:instrText>${instr}</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>${run(result)}<w:r><w:fldChar w:fldCharType="end"/></w:r>`;
  const texts = (body: string, settings = '') => (cleanOoxml(docx(body, settings), DOCX).texts ?? []).join('\n');

  it('reads what the fields show beside what they store', () => {
    expect(texts(`${run('anna.weber')}${complex(' SYMBOL 64 ', '-')}${run('buyer.example')}`)).toContain('anna.weber@buyer.example');
    expect(
      texts(`${run('anna.weber')}${complex(' DOCVARIABLE at ', '')}${run('buyer.example')}`, '<w:docVars><w:docVar w:name="at" w:val="@"/></w:docVars>'),
    ).toContain('anna.weber@buyer.example');
    expect(texts(`${run('anna.weber')}<w:fldSimple w:instr=" QUOTE &quot;@&quot; "/>${run('buyer.example')}`)).toContain('anna.weber@buyer.example');
  });

  it('removes one whose lettered note mark ends a domain (endnotes lowerRoman unless set), keeps decimal ones', () => {
    const note = (kind: string) => `<w:r><w:${kind}Reference w:id="6"/></w:r>`;
    expect(() => texts(`${run('anna.weber @ buyer.')}${note('endnote')}`)).toThrow(NotWhatItClaims);
    const roman = '<w:footnotePr><w:numFmt w:val="lowerRoman"/></w:footnotePr>';
    expect(() => texts(`${run('anna.weber @ buyer.')}${note('footnote')}`, roman)).toThrow(NotWhatItClaims);
    expect(texts(`${run('anna.weber @ buyer.')}${note('footnote')}`)).toContain('anna.weber @ buyer.');
    expect(texts(`${run('anna.weber @ buyer.')}${note('endnote')}`, '<w:endnotePr><w:numFmt w:val="decimal"/></w:endnotePr>')).toContain('anna.weber @ buyer.');
    expect(texts(`${run('See the terms')}${note('endnote')}${run(' below')}`, roman)).toContain('See the terms below');
  });

  it('removes one whose field shows what cannot be known, unless the field is locked', () => {
    expect(() => texts(`${run('anna.weber')}${complex(' INCLUDETEXT "https://files.example/at.txt" ', '')}`)).toThrow(NotWhatItClaims);
    expect(() => texts(`<w:fldSimple w:instr=' IF 1 = 1 "@" "" '/>`)).toThrow(NotWhatItClaims);
    expect(texts(`${run('Order ')}${complex(' INCLUDETEXT "https://files.example/at.txt" ', 'A-1001', ' w:fldLock="true"')}`)).toContain('Order A-1001');
  });
});

describe('fields that show text from elsewhere: ADVANCE, FILENAME, TEMPLATE, INDEX \\h', () => {
  const docx: FieldSources = { ...sources, fileName: '@buyer.example.docx', template: 'file:///C:/T/@shop.example.dotx' };
  it.each([
    ['ADVANCE shows nothing, whatever its result', `anna.weber@${field(' ADVANCE \\u 0 ', 'zz')}buyer.example`, 'anna.weber@buyer.example'],
    ["FILENAME as the attachment's name", `anna.weber${field(' FILENAME ', 'x')}`, 'anna.weber@buyer.example.docx'],
    ['FILENAME \\p after a folder of the reader’s', `anna.weber${field(' FILENAME \\p ', 'x')}`, 'anna.weber\\@buyer.example.docx'],
    ["TEMPLATE as the template's name", `bob${field(' TEMPLATE ', 'Normal')}`, 'bob@shop.example.dotx'],
    ['TEMPLATE \\p as its path', `${field(' TEMPLATE \\p ', 'Normal')}`, 'file:///C:/T/@shop.example.dotx'],
    ['INDEX \\h with a letter heading (kept)', `Index ${field(' INDEX \\h "—A—" \\e ", " ', 'kettle, 2')}`, 'Index kettle, 2'],
  ])('%s', (_n, text, expected) => expect(fieldsShown(text, docx, true)).toBe(expected));

  it('refuses an index heading of its own text, and a TEMPLATE it cannot read (a .doc, no sources)', () => {
    expect(() => fieldsShown(`x${field(' INDEX \\h "@buyer.example" ', '')}`, docx, true)).toThrow(NotWhatItClaims);
    expect(() => fieldsShown(`x${field(' TEMPLATE ', 'Normal')}`, { ...docx, word97: true }, false)).toThrow(NotWhatItClaims);
    expect(() => fieldsShown(`x${field(' TEMPLATE ', 'Normal')}`, null, false)).toThrow(NotWhatItClaims);
    // A FILENAME whose name is not known shows nothing of the writer's.
    expect(fieldsShown(`x${field(' FILENAME ', 'anna.weber@buyer.example')}`, null, false)).toBe('x');
  });
});
