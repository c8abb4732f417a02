// Round-17 attack on the spelled addresses: a title before a bare at is prose (`Mr.Smith at
// shop.de`, kept by decision), but the rule read any local part whose first label is a title, so a
// mailbox that begins with one (`dr.anna.weber at gmail.com`, `prof.anna.weber at uni-koeln.de`:
// people do put their title in their address) crossed whole. A title stands before one name in
// prose; with more labels it is a mailbox's local part.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { deliveredLines, startMaskingPair } from '../helpers/tagged-send.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

describe('a title before a bare at (round-17 attack)', () => {
  it('removes a mailbox that begins with a title and names more than one name', async () => {
    const rows = ['dr.anna.weber at gmail.com', 'mr.anna.weber at gmail.com', 'prof.anna.weber at uni-koeln.de', 'Dr.Anna.Weber at gmx.de'];
    const got = await deliveredLines(
      h,
      alias,
      rows.map((r) => `Write to ${r} please.`),
    );
    expect(got).toEqual(rows.map(() => ['Write to [email removed] please.', 'Write to [email removed] please.']));
  }, 60_000);

  it('still keeps a title before one name', async () => {
    const prose = ['Mr.Smith at shop.de will call you', 'ask Dr.Weber at klinikum.de'];
    expect(await deliveredLines(h, alias, prose)).toEqual(prose.map((p) => [p, p]));
  }, 60_000);
});
