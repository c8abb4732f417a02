// Texts that came from outside are scrubbed where they are stored, so staff never see a buyer's
// real address in them: remote delivery errors (greylisting, user unknown) and a visitor's display
// name that spells their address (plain or RFC 2047-encoded). Over real SMTP, read back through
// the API staff tools use.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DOMAIN, seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const send = (from: string, to: string, message: string) => SmtpClient.sendOnce(h.gw.smtpPort, from, to, message);

async function until<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('delivery errors as stored', () => {
  it("stores a greylisting reply and a user-unknown reply without the buyer's address", async () => {
    const pair = await seedPair(h, { buyerEmail: 'jane.doe@buyer.example' });
    let n = 0;
    h.sink!.answer = (_raw, _attempt, to) => {
      if (!to.includes('jane.doe@buyer.example')) return null;
      n++;
      return n === 1
        ? { code: 450, message: '4.2.0 <jane.doe@buyer.example>: Recipient address rejected: Greylisted, see http://postgrey.example/' }
        : { code: 550, message: '5.1.1 <jane.doe@buyer.example>: Recipient address rejected: User unknown (forwarded to jd@private.example)' };
    };
    const r = await send(
      'support@acme.example',
      pair.address,
      buildMessage({ from: 'support@acme.example', to: pair.address, subject: `Order ${pair.number}`, body: 'shipped' }),
    );
    expect(r.reply.code).toBe(250);
    const deferred = await until(async () => (await h.api('GET', '/api/v1/outbox?status=deferred')).body.items[0]);
    expect(deferred.lastError).toMatch(/^4\.2\.0|450/);
    expect(deferred.lastError).not.toContain('jane.doe@buyer.example');
    const failed = await until(async () => (await h.api('GET', '/api/v1/outbox?status=failed')).body.items[0]);
    expect(failed.lastError).toMatch(/User unknown/);
    expect(failed.lastError).not.toMatch(/jane\.doe@buyer\.example|jd@private\.example/);
  });
});

describe('display names as stored', () => {
  it.each([
    ['a plain address as display name', '"jane.roe@visitor.example" <jane.roe@visitor.example>'],
    ['an RFC 2047-encoded address as display name', '=?utf-8?B?amFuZS5yb2VAdmlzaXRvci5leGFtcGxl?= <jane.roe@visitor.example>'],
    ['a name followed by the address', '"Jane Roe (jane.roe@visitor.example)" <jane.roe@visitor.example>'],
  ])("stores a visitor's name without their address: %s", async (_n, from) => {
    await seedPair(h);
    const r = await send('jane.roe@visitor.example', `acme@${DOMAIN}`, buildMessage({ from, to: `acme@${DOMAIN}`, subject: 'A question', body: 'Hello' }));
    expect(r.reply.code).toBe(250);
    const [delivered] = await h.sink!.waitFor(1);
    const alias = /^From:.*<([a-z2-7]{20})@/m.exec(delivered!.raw.toString('latin1'))?.[1];
    expect(alias).toBeTruthy();
    const view = (await h.api('GET', `/api/v1/pairs/${alias}`)).body;
    expect(view.buyer.kind).toBe('visitor');
    expect(view.buyer.name).not.toContain('jane.roe@visitor.example');
    expect(delivered!.raw.toString('latin1')).not.toContain('jane.roe@visitor.example');
  });
});
