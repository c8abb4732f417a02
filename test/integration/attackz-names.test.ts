// Round-14 last attack rows (guards; they passed): a program's name written only in
// Content-Type's name=, split by RFC 2231 continuations, in an RFC 2047 encoded word, in upper case
// with Windows' trailing dot and blank: the filter reads the name as the parser decodes it.
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { sendAs, type SendOutcome } from '../helpers/nodemailer-send.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

async function sendRaw(part: string[]): Promise<SendOutcome> {
  h = await startHarness({ filters: { linkAllowList: [], linkAction: 'redact', stripImages: false, maxAttachmentBytes: 10485760 } });
  const pair = await seedPair(h);
  const from = 'support@acme.example';
  const raw = [
    `From: ${from}`,
    `To: ${pair.address}`,
    `Subject: Order ${pair.number}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="q"',
    '',
    '--q',
    'Content-Type: text/plain',
    '',
    'see the file',
    '--q',
    ...part,
    '',
    'MsgBox "order"',
    '--q--',
    '',
  ].join('\r\n');
  return sendAs(h, from, pair.address, { raw });
}

describe('seller → buyer: a program named in the headers’ other spellings', () => {
  it.each([
    [['Content-Type: text/plain; name="order.vbs"', 'Content-Disposition: attachment']],
    [['Content-Type: text/plain; name="order.vbs"']],
    [['Content-Type: text/plain', 'Content-Disposition: attachment; filename*0=order.v; filename*1=bs']],
    [['Content-Type: text/plain', "Content-Disposition: attachment; filename*=utf-8''order%2Evbs"]],
    [['Content-Type: text/plain', 'Content-Disposition: attachment; filename="=?utf-8?Q?order=2Evbs?="']],
    [['Content-Type: text/plain', 'Content-Disposition: attachment; filename="ORDER.VBS. "']],
  ])('refuses %j, or delivers no file', async (part) => {
    const r = await sendRaw(part);
    // A text part named only in name=, with no disposition, is read as the message's text: no file.
    if (r.ok) expect((await simpleParser((await h.sink!.waitFor(1))[0]!.raw)).attachments.map((a) => a.filename)).toEqual([]);
    else expect(r.response).toMatch(/file type not allowed/);
  });
});
