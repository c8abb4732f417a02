// Round-17 rows on the spelled addresses (spelled.ts, address-finder.ts), through the gateway in a
// text and an HTML part:
// - A title, an abbreviation or a file's name before a bare `at` and a real domain was taken for a
//   mailbox's local part and removed (`Mr.Smith at shop.de`, `Ph.D at mit.edu`, `config.yaml at
//   github.com`): prose naming a person, a degree or a file at a place.
// - A domain written with underscores lost only its first letter (`b_o_b@s_h_o_p.de` left
//   `_h_o_p.de`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { deliveredLines, startMaskingPair } from '../helpers/tagged-send.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

describe('spelled addresses (round 17)', () => {
  it('keep a title, an abbreviation or a file’s name before a bare at', async () => {
    const prose = [
      'Mr.Smith at shop.de will call you',
      'ask Dr.Weber at klinikum.de or Mrs.Jones at shop.co.uk',
      'she did her Ph.D at mit.edu and an M.Sc at ethz.ch',
      'the config.yaml at github.com and app.log at papertrail.com',
    ];
    const got = await deliveredLines(h, alias, prose);
    expect(got).toEqual(prose.map((p) => [p, p]));
  }, 60_000);

  it('remove a mailbox before a bare at, and one written with underscores, whole', async () => {
    const rows: [string, RegExp][] = [
      ['jean.dupont at gmail.com', /dupont|gmail/i],
      ['foo.bar at shop.de', /foo|shop/i],
      ['phd.student at mit.edu', /student|mit/i],
      ['Mr.Smith (at) shop.de', /smith|shop/i],
      ['b_o_b@s_h_o_p.de', /_|h_o|\.de/i],
      ['bob@shop_mail.de', /mail|\.de/i],
    ];
    const got = await deliveredLines(
      h,
      alias,
      rows.map(([s]) => `Write to ${s} please.`),
    );
    const problems = got.flatMap(([text, html], k) => {
      const [s, leak] = rows[k]!;
      return [text, html].filter((v) => v !== 'Write to [email removed] please.' || leak.test(v.replace('[email removed]', ''))).map((v) => [s, v]);
    });
    expect(problems).toEqual([]);
  }, 60_000);
});
