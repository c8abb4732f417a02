import CFB from 'cfb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { excelFile, label, wordFile, workbookStream } from '../../../test/fixtures/legacy-office.js';
import { seeAttachment } from '../filters/attachments.js';
import type { MailAttachment } from '../types.js';
import { readOle, takeOle } from './ole-container.js';
import { PART_HANDLERS, type PartEnv } from './part-handlers.js';

const env = {
  text: (s: string) => s,
  html: (s: string) => s,
  namesWriter: () => false,
  holdsAddress: () => false,
  writerNeedles: ['jane@buyer.example'],
  isAlias: () => false,
  alias: { address: 'a@maskgate.example', name: '' },
  recipient: { address: 'b@example.com', name: '' },
  message: () => Promise.reject(new Error('no nested messages here')),
  note: () => undefined,
} as unknown as PartEnv;

const part = (filename: string, content: Uint8Array): MailAttachment => ({
  filename,
  contentType: 'application/msword',
  content,
  contentId: null,
  disposition: 'attachment',
});

afterEach(() => vi.restoreAllMocks());

describe('one reading of an OLE container for the content filter and masking', () => {
  it('passes a real .doc, its bytes read once: the filter sees Word and masking keeps it', async () => {
    const reads = vi.spyOn(CFB, 'read');
    const doc = part('order.doc', wordFile(['Kettle order A-1001 shipped\r']));
    expect(seeAttachment(doc).type).toBe('word');
    const r = await PART_HANDLERS.ole(doc, env, 'order.doc');
    expect('removed' in r).toBe(false);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('still refuses a workbook named .doc: the filter sees no Word and masking removes it', async () => {
    const xls = part('prices.doc', excelFile(workbookStream([], [label('Prices')])));
    expect(seeAttachment(xls).type).toBeNull();
    const r = await PART_HANDLERS.ole(xls, env, 'prices.doc');
    expect(r).toMatchObject({ removed: expect.stringMatching(/not the Office document it claims to be/) });
  });

  it('hands a container on once, and only for the very bytes it read: a copy of them is read anew', () => {
    const bytes = wordFile(['Hello\r']);
    const reads = vi.spyOn(CFB, 'read');
    const first = readOle(bytes);
    expect(takeOle(Buffer.from(bytes))).not.toBe(first);
    const second = readOle(bytes);
    expect(takeOle(bytes)).toBe(second);
    expect(takeOle(bytes)).not.toBe(second);
    expect(reads).toHaveBeenCalledTimes(4);
  });
});
