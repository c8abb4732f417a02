// Round 18: what the masking of text and HTML let through — a data: picture in HTML that names the
// writer after cleaning, and the writing tricks of the attack pass — sent through the gateway.
import { unzlibSync } from 'fflate';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { alternativeMail, leakProblems, sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import { BUYER, BUYER_OTHER } from '../fixtures/masking-mail.js';
import { pngWithProfile } from '../fixtures/pictures.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

// Buyer → store: the buyer's name is shown (`Anna Weber <alias>`), their addresses never.
const SECRETS = { addresses: [BUYER.address, BUYER_OTHER], names: [] };

describe('a data: picture in HTML (round 18)', () => {
  it('is kept when its ICC profile named the writer (its name, its deflated description), the profile renamed and its text blanked (round 18; dropped before), as an ordinary one is', async () => {
    const pictures = [pngWithProfile(BUYER.address, 'sRGB'), pngWithProfile('sRGB', `Copyright ${BUYER.address}`), pngWithProfile('Display P3', 'Display P3')];
    const raws = pictures.map((png, k) =>
      alternativeMail(alias, `${subjectTag(k)} logo`, 'Our logo.', `<p>Our logo <img src="data:image/png;base64,${png.toString('base64')}" alt="logo"></p>`),
    );
    const got = await sendTagged(h, BUYER.address, alias, raws);
    const htmls = await Promise.all(got.map(async (raw) => String((await simpleParser(raw)).html)));
    expect(htmls.map((html) => /<img[^>]*src="data:image\/png;base64,/.test(html))).toEqual([true, true, true]);
    const profiles = htmls.map((html) => {
      const png = Buffer.from(/src="data:image\/png;base64,([^"]+)"/.exec(html)![1]!, 'base64');
      const at = png.indexOf('ICC profile\0\0') + 13;
      return Buffer.from(unzlibSync(png.subarray(at, png.indexOf('IDAT') - 8))).toString('latin1');
    });
    expect(profiles.map((p) => [p.slice(36, 40), p.includes(BUYER.address)])).toEqual(profiles.map(() => ['acsp', false]));
    expect(await leakProblems(['name', 'description', 'ordinary'], got, SECRETS)).toEqual([]);
  }, 60_000);
});

describe('HTML written to show an address the gateway did not read (round-18 attack)', () => {
  it('reads an image’s alt text as the text in its place (shown when pictures are off, Outlook’s default): an address around it is removed', async () => {
    const htmls = [
      `<p>Mail: anna.private<img src="cid:none" alt="@">othermail.example ok</p>`,
      `<p>Mail: anna.private<img src="cid:none" alt="@othermail">.example ok</p>`,
      `<p>Mail: <img src="cid:none" alt="anna.private@">othermail.example ok</p>`,
    ];
    const got = await sendTagged(
      h,
      BUYER.address,
      alias,
      htmls.map((html, k) => alternativeMail(alias, `${subjectTag(k)} alt`, 'See the HTML.', html)),
    );
    const shown = await Promise.all(got.map(async (raw) => String((await simpleParser(raw)).html).replace(/<img[^>]*alt="([^"]*)"[^>]*>/g, '$1')));
    expect(shown.map((html) => /private|othermail/.test(html))).toEqual([false, false, false]);
    expect(await leakProblems(['alt @', 'alt @domain', 'alt local@'], got, SECRETS)).toEqual([]);
  }, 60_000);
});
