// Text a legacy Office application shows that the readers of ole-text.ts passed over: a stream
// named in another case (Office opens CFB names case-insensitively), WordArt and shape texts kept
// as drawing properties (OfficeArt, in all three formats), a workbook's validation list, a
// presentation's records reached by its persist directory rather than the record tree. Each must
// be removed when it holds an address; ordinary files with drawings must still cross.
import { describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { keptFiles, sendTagged, maskingPairForTests, subjectTag } from '../helpers/tagged-send.js';
import { strToU8, zipSync } from 'fflate';
import { b64, BUYER } from '../fixtures/masking-mail.js';
import {
  container,
  excelFile,
  fopt,
  wordFile,
  label,
  powerPointFile,
  pptByOffsets,
  pptRecord,
  pptContainer,
  rec,
  slideTexts,
  sst,
  textChars,
  wordStreams,
  workbookStream,
  xlString,
  DOC,
  KIM,
  PPT,
  XLS,
} from '../fixtures/legacy-office.js';

const pair = maskingPairForTests();

/** A .doc whose table stream also holds `art` (its OfficeArtContent, at fcDggInfo). */
function wordWithArt(text: string, art: Buffer): Buffer {
  const s = wordStreams([text]);
  const table = Buffer.concat([s['1Table'], art]);
  s.WordDocument.writeUInt32LE(s['1Table'].length, 0x9a + 50 * 8);
  s.WordDocument.writeUInt32LE(art.length, 0x9a + 50 * 8 + 4);
  return container({ WordDocument: s.WordDocument, '1Table': table });
}

describe('text legacy Office files show outside the records read', () => {
  it('reads a main stream whose name is in another case (a decoy of the right name in a storage)', async () => {
    const shown = workbookStream([sst(['Name', KIM])]);
    const decoy = workbookStream([sst(['Name', 'Kettle'])]);
    const files = [container({ workbook: shown, 'Old/Workbook': decoy }), container({ WORKBOOK: workbookStream([sst(['Kettle', 'A-1001'])]) })];
    expect(await keptFiles(pair.h, pair.alias, files.map(b64), XLS, 'order.xls')).toEqual([[], ['order.xls']]);
  }, 60_000);

  it('removes WordArt and shape texts (OfficeArt properties) that hold an address, in all three formats', async () => {
    const art = (text: string) => pptContainer(0xf004, [fopt([[0x00c0, `${text}\u0000`]])]);
    const named = fopt([
      [0x0380, 'Picture 1'],
      [0x0381, `Mail ${KIM}`],
    ]);
    const drawing = (shapes: Buffer[]) => pptContainer(0x040c, [pptContainer(0xf002, shapes)]);
    const ppts = [
      powerPointFile([slideTexts([textChars('Kettle')]), drawing([art(KIM)])]),
      powerPointFile([slideTexts([textChars('Kettle')]), drawing([pptContainer(0xf004, [named])])]),
      powerPointFile([slideTexts([textChars('Kettle')]), drawing([art('SALE 20 %')])]),
    ];
    expect(await keptFiles(pair.h, pair.alias, ppts.map(b64), PPT, 'slides.ppt')).toEqual([[], [], ['slides.ppt']]);
    const xlsArt = (text: string) => rec(0x00ec, pptContainer(0xf002, [art(text)]));
    const xlss = [
      excelFile(workbookStream([sst(['Kettle'])], [label('Total'), xlsArt(KIM)])),
      excelFile(workbookStream([sst(['Kettle'])], [label('Total'), xlsArt('SALE 20 %')])),
    ];
    expect(await keptFiles(pair.h, pair.alias, xlss.map(b64), XLS, 'order.xls')).toEqual([[], ['order.xls']]);
    const docs = [wordWithArt('Return label\r', pptContainer(0xf000, [art(KIM)])), wordWithArt('Return label\r', pptContainer(0xf000, [art('SALE')]))];
    expect(await keptFiles(pair.h, pair.alias, docs.map(b64), DOC, 'label.doc')).toEqual([[], ['label.doc']]);
  }, 90_000);

  it("removes a workbook whose validation list (a cell's drop-down) holds an address", async () => {
    // [MS-XLS] 2.4.112 Dv: flags (list type), four strings, formula1 (a PtgStr list), formula2, ranges.
    const list = (items: string) => {
      const ptg = Buffer.concat([Buffer.from([0x17, items.length, 0]), Buffer.from(items, 'latin1')]);
      const formula = Buffer.concat([Buffer.from([ptg.length, 0, 0, 0]), ptg]);
      const sqref = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      const flags = Buffer.from([0x03, 0x01, 0x0c, 0x00]);
      const strings = Buffer.concat(['', '', '', ''].map((s) => (s ? xlString(s) : Buffer.from([1, 0, 0, 0]))));
      return rec(0x01be, Buffer.concat([flags, strings, formula, Buffer.from([0, 0, 0, 0]), sqref]));
    };
    const files = [
      excelFile(workbookStream([sst(['Contact'])], [label('Pick'), list(`Anna,${KIM}`)])),
      excelFile(workbookStream([sst(['Size'])], [label('Pick'), list('S,M,L')])),
    ];
    expect(await keptFiles(pair.h, pair.alias, files.map(b64), XLS, 'order.xls')).toEqual([[], ['order.xls']]);
  }, 60_000);

  it('removes a presentation whose slide, reached by its persist directory, hides inside another record', async () => {
    const doc = pptContainer(0x03e8, [slideTexts([textChars('Kettle')])]);
    const slide = (text: string) => pptContainer(0x03ee, [pptContainer(0x040c, []), textChars(text)]);
    // The slide inside an atom the record tree passes over; the persist directory points at it.
    const hidden = (text: string) => {
      const inner = slide(text);
      const stream = pptByOffsets([doc, pptRecord(0x0fc9, inner)], [0, doc.length + 8]);
      return container(stream);
    };
    const plain = container(pptByOffsets([doc, slide('SALE')], [0, doc.length]));
    const files = [hidden(KIM), hidden('SALE'), plain];
    expect(await keptFiles(pair.h, pair.alias, files.map(b64), PPT, 'slides.ppt')).toEqual([[], ['slides.ppt'], ['slides.ppt']]);
  }, 60_000);

  it('removes a .doc whose comment or revision author (shown in its balloons) is an address, and keeps names', async () => {
    // FibRgFcLcb97 fcGrpXstAtnOwners (36th pair) and fcSttbfRMark (52nd), in the table stream.
    const authors = (comment: string, revision: string) => {
      const s = wordStreams(['Return label\r\u0005\r']);
      const xst = (t: string) => Buffer.concat([Buffer.from([t.length, 0]), Buffer.from(t, 'utf16le')]);
      const owners = xst(comment);
      const sttb = Buffer.concat([Buffer.from([0xff, 0xff, 2, 0, 0, 0]), xst('Unknown'), xst(revision)]);
      const at = s['1Table'].length;
      s.WordDocument.writeUInt32LE(at, 0x9a + 36 * 8);
      s.WordDocument.writeUInt32LE(owners.length, 0x9a + 36 * 8 + 4);
      s.WordDocument.writeUInt32LE(at + owners.length, 0x9a + 51 * 8);
      s.WordDocument.writeUInt32LE(sttb.length, 0x9a + 51 * 8 + 4);
      return container({ WordDocument: s.WordDocument, '1Table': Buffer.concat([s['1Table'], owners, sttb]) });
    };
    const files = [authors(KIM, 'Kim Lee'), authors('Kim Lee', KIM), authors('Kim Lee', 'Anna')];
    expect(await keptFiles(pair.h, pair.alias, files.map(b64), DOC, 'label.doc')).toEqual([[], [], ['label.doc']]);
  }, 60_000);

  it("removes a .doc whose form field's drop-down entries, help or status-bar text hold an address", async () => {
    // [MS-DOC] 2.9.78 FFData in the Data stream after its 0x44-byte header: a drop-down (iType 2)
    // showing its first entry, the others in its list; or a text field with its status-bar text.
    const xstz = (t: string) => Buffer.concat([Buffer.from([t.length, 0]), Buffer.from(t, 'utf16le'), Buffer.from([0, 0])]);
    const ffdata = (type: number, strings: string[], entries: string[]) => {
      const head = Buffer.from([0xff, 0xff, 0xff, 0xff, type, 0, 0, 0, 0, 0]);
      const body = Buffer.concat([
        head,
        xstz('Dropdown1'),
        ...(type === 0 ? [xstz('')] : [Buffer.from([0, 0])]),
        ...strings.map(xstz),
        ...(type === 2
          ? [Buffer.from([0xff, 0xff, entries.length, 0, 0, 0]), ...entries.map((e) => Buffer.concat([Buffer.from([e.length, 0]), Buffer.from(e, 'utf16le')]))]
          : []),
      ]);
      const header = Buffer.alloc(0x44);
      header.writeUInt32LE(0x44 + body.length, 0);
      header.writeUInt16LE(0x44, 4);
      return Buffer.concat([header, body]);
    };
    const doc = (data: Buffer) => {
      const s = wordStreams(['Pick: \u0013 FORMDROPDOWN \u0014Anna\u0015\r']);
      return container({ ...s, Data: Buffer.concat([Buffer.alloc(16), data]) });
    };
    const files = [
      doc(ffdata(2, ['', '', '', '', ''], ['Anna', KIM])),
      doc(ffdata(0, ['', '', `Write to ${KIM}`, '', ''], [])),
      doc(ffdata(2, ['', '', '', '', ''], ['Anna', 'Kim'])),
    ];
    expect(await keptFiles(pair.h, pair.alias, files.map(b64), DOC, 'form.doc')).toEqual([[], [], ['form.doc']]);
  }, 60_000);

  it('removes a presentation whose slide layout kept for PowerPoint 2007 (a zipped package in an atom) holds an address, even the writer’s', async () => {
    const layout = (text: string) =>
      Buffer.from(
        zipSync({
          'slideLayouts/slideLayout1.xml': strToU8(
            `<p:sldLayout><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>${text}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sldLayout>`,
          ),
        }),
      );
    // RoundTripContentMasterInfo12Atom (0x041E) in a main master (0x03F8).
    const file = (text: string) => powerPointFile([slideTexts([textChars('Kettle')]), pptContainer(0x03f8, [pptRecord(0x041e, layout(text))])]);
    const files = [file(KIM), file(`Mail ${BUYER.address}`), file('Click to edit Master title style')];
    expect(await keptFiles(pair.h, pair.alias, files.map(b64), PPT, 'slides.ppt')).toEqual([[], [], ['slides.ppt']]);
  }, 60_000);

  it('removes a file whose font name (shown in the font box) is an address, in all three formats', async () => {
    const face = (name: string) => {
      const b = Buffer.alloc(64);
      b.write(name, 'utf16le');
      return b;
    };
    // PowerPoint: a FontEntityAtom (0x0FB7) in the FontCollection (0x07D5).
    const ppt = (name: string) =>
      powerPointFile([slideTexts([textChars('Kettle')]), pptContainer(0x07d5, [pptRecord(0x0fb7, Buffer.concat([face(name), Buffer.alloc(4)]))])]);
    // Excel: a Font record (0x0031) whose name is a ShortXLUnicodeString after 14 bytes.
    const xls = (name: string) =>
      excelFile(workbookStream([rec(0x0031, Buffer.concat([Buffer.alloc(14), Buffer.from([name.length, 0]), Buffer.from(name, 'latin1')])), sst(['Kettle'])]));
    // Word: SttbfFfn (FibRgFcLcb97's 16th pair), one FFN whose name follows its 39 bytes.
    const doc = (name: string) => {
      const s = wordStreams(['Return label\r']);
      const ffn = Buffer.concat([Buffer.alloc(39), Buffer.from(`${name}\u0000`, 'utf16le')]);
      const sttb = Buffer.concat([Buffer.from([1, 0, 0, 0, ffn.length]), ffn]);
      s.WordDocument.writeUInt32LE(s['1Table'].length, 0x9a + 15 * 8);
      s.WordDocument.writeUInt32LE(sttb.length, 0x9a + 15 * 8 + 4);
      return container({ WordDocument: s.WordDocument, '1Table': Buffer.concat([s['1Table'], sttb]) });
    };
    expect(await keptFiles(pair.h, pair.alias, [ppt(KIM), ppt('Arial')].map(b64), PPT, 'slides.ppt')).toEqual([[], ['slides.ppt']]);
    expect(await keptFiles(pair.h, pair.alias, [xls(KIM), xls('Arial')].map(b64), XLS, 'order.xls')).toEqual([[], ['order.xls']]);
    expect(await keptFiles(pair.h, pair.alias, [doc(KIM), doc('Times New Roman')].map(b64), DOC, 'label.doc')).toEqual([[], ['label.doc']]);
  }, 90_000);

  it('removes a workbook whose cell style name (shown in the styles gallery) is an address', async () => {
    // [MS-XLS] 2.4.269 Style: ixfe with fBuiltIn clear, then the user-defined name.
    const style = (name: string) => rec(0x0293, Buffer.concat([Buffer.from([0x10, 0x00]), xlString(name)]));
    const files = [excelFile(workbookStream([style(KIM), sst(['Kettle'])])), excelFile(workbookStream([style('Price list'), sst(['Kettle'])]))];
    expect(await keptFiles(pair.h, pair.alias, files.map(b64), XLS, 'order.xls')).toEqual([[], ['order.xls']]);
  }, 60_000);

  it('lets no address of an Office file declared as text cross (a client opens it by its name)', async () => {
    const doc = wordFile([`Ask my colleague ${KIM}\r`]);
    const xls = excelFile(workbookStream([sst(['Name', KIM])]));
    const raws = await sendTagged(
      pair.h,
      BUYER.address,
      pair.alias,
      [doc, xls].map((f, k) =>
        Buffer.from(
          [
            `From: ${BUYER.name} <${BUYER.address}>`,
            `To: ${pair.alias}`,
            `Subject: ${subjectTag(k)} file`,
            'Content-Type: multipart/mixed; boundary="q"',
            '',
            '--q',
            'Content-Type: text/plain',
            '',
            'File attached.',
            '--q',
            'Content-Type: text/plain; name="label.doc"',
            'Content-Disposition: attachment; filename="label.doc"',
            'Content-Transfer-Encoding: base64',
            '',
            b64(f),
            '--q--',
            '',
          ].join('\r\n'),
        ),
      ),
    );
    for (const raw of raws) {
      const parsed = await simpleParser(raw);
      const all = Buffer.concat([Buffer.from(parsed.text ?? ''), ...parsed.attachments.map((a) => a.content)]);
      expect(all.toString('latin1')).not.toContain('partner.example');
      expect(all.toString('utf16le')).not.toContain('partner.example');
    }
  }, 60_000);
});
