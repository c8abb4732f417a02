// Round-14 last attack rows on text named as a workbook: Excel opens text named `.xls` (or `.csv`,
// `.xlt`) that begins `ID` as SYLK, whose formula cells (`E…`, no `=`) it computes; and it opens text
// named `.xlt`, `.xlw` or `.xla` as it opens `.xls`. Such a file crossed as plain text, a formula
// that builds the writer's address unread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { keptAttachments, startMaskingPair } from '../helpers/tagged-send.js';
import { b64 } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const SYLK = 'ID;PWXL;N;E\r\nC;Y1;X1;K"Chair"\r\nC;Y1;X2;K0;ECONCATENATE("anna.weber","@","buyer.example")\r\nE\r\n';
const TSV = 'Item\tMail\r\nChair\t=CONCATENATE("anna.weber","@","buyer.example")\r\n';

describe('text named as a workbook, read as Excel reads it', () => {
  it('does not cross with a formula that builds an address; plain text does', async () => {
    const files: [string, string][] = [
      ['orders.xls', SYLK],
      ['orders.csv', SYLK],
      ['orders.xlt', TSV],
      ['orders.xlw', TSV],
      ['orders.xlt', 'Item\tPrice\r\nChair\t20\r\n'],
      ['orders.xls', 'IDs of the chairs: 12, 13\r\n'],
    ];
    const kept = await keptAttachments(
      h,
      alias,
      files.map(([name, f]) => ({ type: 'text/plain; charset=utf-8', name, base64: b64(Buffer.from(f)), disposition: true })),
      30_000,
    );
    expect(kept).toEqual([[], [], [], [], ['orders.xlt'], ['orders.xls']]);
  }, 60_000);
});
