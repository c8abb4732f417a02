// Round-14 attack: spellings that still cross, held as expected failures (it.fails) until they are
// read. Each passes the day the gateway removes or masks it (then turn it into an ordinary row).
// - Other languages' words for `@` and `.` bare, not in brackets (`anna.weber at buyer punkt
//   example`: the writer's own address): reading them costs every text a search for the words
//   (measured +1.2 ms a MiB on the 1 MiB text tier, 1.3 → 2.6-2.8 ms), so they were not added.
// - A mailbox-like local part, a bare ` at ` and a real dot (`bob.stone at gmail.com`): read so,
//   `order 12345 at amazon.de` would be removed as an address too.
// - An address written letter by letter with blanks (`a n n a . w e b e r @ …`).
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { alternativeMail, sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import { BUYER } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

async function deliveredText(line: string): Promise<string> {
  const [raw] = await sendTagged(h, BUYER.address, alias, [alternativeMail(alias, `${subjectTag(0)} note`, line, `<p>${line}</p>`)], 30_000);
  return (await simpleParser(raw!)).text ?? '';
}

describe('spellings that still cross (round-14 attack, open)', () => {
  it.fails.each([
    ['anna.weber at buyer punkt example', /weber|buyer/],
    ['bob.stone arroba shopmail punto es', /stone|shopmail/],
    ['bob.stone at gmail.com', /stone|gmail/],
    ['a n n a . w e b e r @ b u y e r . e x a m p l e', /w e b e r/],
  ])(
    '%s',
    async (line, leak) => {
      expect(await deliveredText(`Write to ${line} please.`)).not.toMatch(leak);
    },
    60_000,
  );
});
