// Text parts that test the one reading of a text for its transfer encoding (textPartContent): bare
// CR and LF, lines of 998 and 999 octets, trailing blanks, controls, dots and `From ` at a line's
// start, a boundary-like line, no final line end, large texts. Through the gateway, every delivered
// copy must pass DKIM, carry only CRLF line ends and lines of at most 998 octets, and read back as
// the text sent. (A CR right before a CRLF, `a\r\r\nb`, arrives as `a\r\nb`: left out here.)
import { dkimVerify } from 'mailauth';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishedResolver, type Harness } from '../helpers/gateway.js';
import { startMaskingPair } from '../helpers/tagged-send.js';
import { SmtpClient } from '../helpers/smtp-client.js';
import { BUYER } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const L = (n: number, c = 'x') => c.repeat(n);
const texts: string[] = [
  'a\rb\r\nc',
  'a\nb\nc\n',

  `${L(998)}\n${L(5)}`,
  `${L(999)}\nz`,
  `${L(997)} \nz`,
  'trail \ntab\t\nend',
  'nul\u0000x',
  'del\u007fx',
  '.\n..\n.x\n',
  'From here\nFrom there',
  '--b0\n--b0--\n',
  'no newline at end',
  '\n\n\n',
  'x\r',
  'é\r\nü',
  `${L(200_000, 'y\n')}`,
  `${L(140_000)}`,
  'line\u2028sep\u0085nel',
  'ok\n.\r\n.\n',
  `${L(998)}\r\n${L(998)}`,
  ' lead\n\tlead',
];

describe('text parts on the wire', () => {
  it('every delivered copy passes DKIM and carries the text it was given', async () => {
    h.sink!.answer = () => null;
    const before = h.sink!.messages.length;
    const c = await SmtpClient.connect(h.gw.smtpPort);
    try {
      for (const [k, t] of texts.entries()) {
        const raw = Buffer.from(
          `From: ${BUYER.name} <${BUYER.address}>\r\nTo: ${alias}\r\nSubject: A-1001 r${k}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(t).toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n`,
        );
        expect((await c.send(BUYER.address, [alias], raw)).reply.code).toBe(250);
      }
    } finally {
      await c.quit();
    }
    const arrived = (await h.sink!.waitFor(before + texts.length, 120_000)).slice(before);
    const records: { type: string; name: string; value: string }[] = (await h.api('GET', '/api/v1/dns')).body.records;
    const resolver = publishedResolver(records);
    const problems: unknown[] = [];
    for (const m of arrived) {
      const p = await simpleParser(m.raw);
      const k = Number(/r([0-9]+)/.exec(p.subject ?? '')?.[1]);
      const v = await dkimVerify(m.raw, { resolver });
      const results = v.results.map((r) => r.status.result).join();
      if (results !== 'pass') problems.push([k, 'dkim', results]);
      const s = m.raw.toString('latin1');
      if (/\r(?!\n)|(?<!\r)\n/.test(s)) problems.push([k, 'bare CR/LF on the wire']);
      if (s.split('\r\n').some((l) => l.length > 998)) problems.push([k, 'line over 998']);
      const cte = /Content-Transfer-Encoding: (\S+)/i.exec(s)?.[1];
      const want = texts[k]!.replace(/\r?\n/g, '\n');
      const got = (p.text ?? '').replace(/\r?\n/g, '\n');
      if (got.trimEnd() !== want.trimEnd()) problems.push([k, cte, 'text differs', JSON.stringify(got.slice(0, 60)), JSON.stringify(want.slice(0, 60))]);
    }
    expect(problems).toEqual([]);
  }, 200_000);
});
