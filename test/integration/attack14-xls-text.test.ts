// Round-14 attack rows: text declared text/plain but named `.xls` is opened by Excel, which reads a
// tab-separated text as a sheet and a web page as one of its tables, computing their formula cells.
// Masking read it as plain text (no formula reading: that was for `.csv`/`.tsv` and for HTML under a
// generic or Excel type), so a formula that builds the writer's address crossed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { keptAttachments, startMaskingPair } from '../helpers/tagged-send.js';
import { b64 } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const FORMULA = '=CONCATENATE("anna.weber","@","buyer.example")';

describe('text named .xls', () => {
  it('is read as Excel reads it: a formula that builds an address removes it; plain text and a plain table cross', async () => {
    const files = [
      `Item\tMail\r\nChair\t${FORMULA}\r\n`,
      `<table><tr><td>Chair</td><td>${FORMULA}</td></tr></table>`,
      `<html><body><table><tr><td>Chair</td><td>${FORMULA.replace(/"/g, '&quot;')}</td></tr></table></body></html>`,
      'Item\tPrice\r\nChair\t20\r\n',
      '<table><tr><td>Chair</td><td>20</td></tr></table>',
    ];
    const kept = await keptAttachments(
      h,
      alias,
      files.map((f) => ({ type: 'text/plain; charset=utf-8', name: 'orders.xls', base64: b64(Buffer.from(f)), disposition: true })),
      30_000,
    );
    expect(kept).toEqual([[], [], [], ['orders.xls'], ['orders.xls']]);
  }, 60_000);
});
