// The inbox search indexes each message's subject, buyer name and the first SEARCH_CHARS (20 000)
// characters of its delivered text (relay/stages/commit.ts), not the whole of a large one: indexing
// 1 MiB of text cost the SMTP thread 7-9 ms a message, the bounded row is below what
// bench/commit-times.ts can tell from nothing. A 1 MiB letter goes through the real gateway; the
// admin's search (the inbox port's query, what /inbox?q= runs) finds a word written near its start
// and one just inside the bound, and not one written past it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_CHARS } from '../../src/relay/stages/commit.js';
import { InboxRepo } from '../../src/store/inbox.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
let storeId: number;

/** ~1 MiB of plain words, with `words` written at the given character offsets of the text. */
function letter(words: Record<number, string>): string {
  const filler = 'the parcel was packed with care and sent on its way to you ';
  let text = filler.repeat(Math.ceil(1_048_576 / filler.length));
  for (const [at, word] of Object.entries(words)) text = `${text.slice(0, Number(at))} ${word} ${text.slice(Number(at) + word.length + 2)}`;
  // 76-character lines (CRLF on the wire; the parsed text has one LF each, counted above as the space they replace).
  return text.replace(/(.{75}) /g, '$1\r\n');
}

beforeAll(async () => {
  h = await startHarness();
  const seeded = await seedPair(h);
  storeId = seeded.storeId;
  const c = await SmtpClient.connect(h.gw.smtpPort);
  const body = letter({ 1_000: 'kettlewhistle', [SEARCH_CHARS - 2_000]: 'teapotlid', [SEARCH_CHARS + 30_000]: 'saucerrim', 900_000: 'spoonhandle' });
  const message = `From: Jane <jane@buyer.example>\r\nTo: ${seeded.address}\r\nSubject: A long letter\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n${body}\r\n`;
  const r = await c.send('jane@buyer.example', [seeded.address], message);
  await c.quit();
  expect(r.reply.code).toBe(250);
}, 120_000);
afterAll(async () => h.close());

const search = (q: string) => new InboxRepo(h.gw.db).list({ storeIds: [storeId], view: 'all', q, limit: 50, now: Date.now() });

describe('the search in a large message', () => {
  it('finds a word near its start, and one within the first 20 000 characters', () => {
    expect(SEARCH_CHARS).toBe(20_000);
    expect(search('kettlewhistle')).toHaveLength(1);
    expect(search('teapotlid')).toHaveLength(1);
  });

  it('does not find a word past the bound (the README says so)', () => {
    expect(search('saucerrim')).toHaveLength(0);
    expect(search('spoonhandle')).toHaveLength(0);
  });

  it('still finds the message by its subject', () => {
    expect(search('long letter')).toHaveLength(1);
  });
});
