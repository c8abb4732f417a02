// Plain text attachments named as what opens them otherwise: a `.html` a browser shows as a page
// (tags inside an address as nothing), a `.eml` a mail program shows as a message (its base64 body
// decoded). Through the gateway neither may carry an address the reader would see.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { attachmentMail, sendTagged, startMaskingPair } from '../helpers/tagged-send.js';
import { b64, BUYER, BUYER_OTHER } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const withFile = (k: number, type: string, name: string, text: string) => attachmentMail(alias, k, { type, name, base64: b64(text), disposition: true });

describe('plain text named as a page or a message', () => {
  it('a .html is read as the page a browser shows; a .eml, .slk or .svg is removed', async () => {
    const [local, domain] = BUYER_OTHER.split('@') as [string, string];
    const inner = ['From: Lager <x@acme.example>', 'Subject: fwd', 'Content-Transfer-Encoding: base64', '', b64(`Write to ${BUYER_OTHER}`)].join('\r\n');
    const files = [
      ['text/plain', 'page.html', `<p>Write to ${local}<span>@</span>${domain} or anna.weber<b></b>@buyer.example</p>`],
      ['text/plain; charset=utf-8', 'fwd.eml', inner],
      // SYLK: Excel computes the E field (a formula) of a cell; SVG: a browser joins its text spans.
      ['text/plain', 'prices.slk', `ID;P\r\nC;Y1;X1;E"${local}"&"@"&"${domain}"\r\nE\r\n`],
      ['text/plain', 'logo.svg', `<svg xmlns="http://www.w3.org/2000/svg"><text>${local}<tspan>@</tspan>${domain}</text></svg>`],
    ] as const;
    const delivered = await sendTagged(
      h,
      BUYER.address,
      alias,
      files.map(([type, name, text], k) => withFile(k, type, name, text)),
    );
    const got = await Promise.all(
      delivered.map(async (raw) =>
        (await simpleParser(raw)).attachments.map((a) => [a.filename, /othermail|private|weber|buyer\.example/i.test(a.content.toString('utf8'))]),
      ),
    );
    expect(got).toEqual([[['page.html', false]], [], [], []]);
  }, 60_000);
});
