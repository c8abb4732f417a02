// Word fields that show text from elsewhere once Word updates them: ADVANCE shows nothing (its
// stored result may split an address), FILENAME the file's name as attached, TEMPLATE the attached
// template's name, INDEX \h a heading of its own text. Through the gateway a document whose field
// so completes an address must be removed; ordinary uses of the same fields must arrive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { keptFiles, startMaskingPair } from '../helpers/tagged-send.js';
import { b64 } from '../fixtures/masking-mail.js';
import { wordFile } from '../fixtures/legacy-office.js';
import { complex, DOCX, fieldDocx, run } from '../fixtures/word-fields.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const docx = (body: string, template?: string) =>
  fieldDocx(
    body,
    '<w:updateFields w:val="true"/><w:attachedTemplate r:id="rId1"/>',
    template === undefined
      ? {}
      : {
          'word/_rels/settings.xml.rels': `<?xml version="1.0"?><Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="${template}" TargetMode="External"/></Relationships>`,
        },
  );
const doc = (text: string) => b64(wordFile([text]));

describe('Word fields that show text from elsewhere', () => {
  it('removes a docx whose ADVANCE, TEMPLATE or INDEX \\h field completes an address, and keeps ordinary ones', async () => {
    const documents = [
      // ADVANCE's stored result splits the address; updated, it shows nothing.
      docx(`${run('Reach me at anna.weber@')}${complex(' ADVANCE \\u 0 ', 'zz')}${run('buyer.example')}`),
      docx(`${run('Reach me at anna.private@')}${complex(' ADVANCE \\r 2 ', 'zz')}${run('othermail.example')}`),
      // The attached template's name goes on from the text before it.
      docx(`${run('Reach me at anna.weber')}${complex(' TEMPLATE ', 'Normal')}`, 'file:///C:/Templates/@buyer.example.dotx'),
      docx(`${run('Reach me at anna.private')}${complex(' TEMPLATE ', 'Normal')}`, 'file:///C:/Users/Public/@othermail.example.dotx'),
      // An index's heading of its own text.
      docx(`${run('Reach me at anna.weber')}${complex(' INDEX \\h "@buyer.example" ', '')}`),
      // Kept: ADVANCE over plain text, the template's name, an index with letter headings.
      docx(`${run('Total')}${complex(' ADVANCE \\r 20 ', '')}${run('120 EUR')}`),
      docx(`${run('Template: ')}${complex(' TEMPLATE ', 'Normal.dotm')}`, 'Normal.dotm'),
      docx(`${run('Template: ')}${complex(' TEMPLATE \\p ', 'Normal.dotm')}`),
      docx(`${run('Index')}${complex(' INDEX \\h "—A—" \\e ", " ', 'kettle, 2')}`),
    ];
    expect(await keptFiles(h, alias, documents, DOCX, 'form.docx')).toEqual([[], [], [], [], [], ['form.docx'], ['form.docx'], ['form.docx'], ['form.docx']]);
  }, 60_000);

  it("reads FILENAME as the attachment's name", async () => {
    const documents = [
      docx(`${run('Reach me at anna.weber')}${complex(' FILENAME ', 'form')}`),
      docx(`${run('Reach me at anna.weber')}${complex(' FILENAME \\p ', 'form')}`),
    ];
    expect(await keptFiles(h, alias, documents, DOCX, '@buyer.example.docx')).toEqual([[], []]);
    expect(await keptFiles(h, alias, [documents[0]!, docx(`${run('This is ')}${complex(' FILENAME ', 'form')}`)], DOCX, 'form.docx')).toEqual([
      ['form.docx'],
      ['form.docx'],
    ]);
  }, 60_000);

  it('removes a .doc with a TEMPLATE field (its template is not read) or an ADVANCE splitting an address, and keeps one with FILENAME', async () => {
    const docs = [
      doc('Return form A-1001\rReach me at anna.weber\u0013 TEMPLATE \u0014x\u0015\r'),
      doc('Return form A-1001\rReach me at anna.weber@\u0013 ADVANCE \\u 0 \u0014zz\u0015buyer.example\r'),
      doc('Return form A-1001\rFile: \u0013 FILENAME \u0014form.doc\u0015\r'),
    ];
    expect(await keptFiles(h, alias, docs, 'application/msword', 'form.doc')).toEqual([[], [], ['form.doc']]);
  }, 60_000);
});
