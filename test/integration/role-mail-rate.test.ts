// Mail to postmaster@ and abuse@ lands in the owner's own inbox, sent from our domain: it is
// limited per client (an IPv4 address, an IPv6 /64) and overall, so nobody can flood that inbox
// through us. Over real SMTP from several loopback addresses, read at the sink.
import { afterEach, describe, expect, it } from 'vitest';
import { notFound, type DnsResolver } from '../../src/dns/resolver.js';
import { DOMAIN, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

// The clients write from several loopback addresses; their domain's SPF allows them all.
const LOOPBACK_SPF: DnsResolver = async (name, rrtype) => {
  if (rrtype === 'TXT' && !name.startsWith('_') && !name.includes('._domainkey.')) return [['v=spf1 ip4:127.0.0.0/8 -all']];
  throw notFound(name, rrtype);
};
const start = () => startHarness({ smtp: { port: 0, host: '127.0.0.1', postmaster: 'ops@operator.example' } }, { resolver: LOOPBACK_SPF });
const connectFrom = (address: string) => SmtpClient.connect(h.gw.smtpPort, '127.0.0.1', 'client.example', address);
const report = (n: number, to: string) =>
  buildMessage({ from: 'Abuse Desk <abuse-desk@isp.example>', to, subject: `Report ${n}`, body: `Report number ${n}.` });

describe('role mail rate', () => {
  it('takes 10 role messages per hour from one client, then answers 450 4.7.1 with a sentence, while other clients still get through', async () => {
    h = await start();
    const flooder = await connectFrom('127.0.0.2');
    for (let n = 1; n <= 10; n++) {
      const to = `${n % 2 ? 'postmaster' : 'abuse'}@${DOMAIN}`;
      expect((await flooder.send('abuse-desk@isp.example', [to], report(n, to))).reply.code).toBe(250);
    }
    const eleventh = await flooder.send('abuse-desk@isp.example', [`abuse@${DOMAIN}`], report(11, `abuse@${DOMAIN}`));
    expect(eleventh.stage).toBe('rcpt');
    expect(eleventh.reply.code).toBe(450);
    expect(eleventh.reply.text).toMatch(/^4\.7\.1 too much mail to postmaster and abuse from your address; try again in \d+ minutes?$/);
    await flooder.quit();

    // A new session from the same address is no way around it; another address is not affected.
    const again = await connectFrom('127.0.0.2');
    expect((await again.send('', [`postmaster@${DOMAIN}`], report(12, `postmaster@${DOMAIN}`))).reply.code).toBe(450);
    await again.quit();
    const other = await connectFrom('127.0.0.3');
    expect((await other.send('abuse-desk@isp.example', [`postmaster@${DOMAIN}`], report(13, `postmaster@${DOMAIN}`))).reply.code).toBe(250);
    await other.quit();

    const delivered = await h.sink!.waitFor(11);
    expect(delivered.every((m) => m.to.join() === 'ops@operator.example')).toBe(true);
    expect(delivered.map((m) => /Subject: \[\w+@[^\]]+\] (Report \d+)/.exec(m.raw.toString())?.[1]).sort()).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13].map((n) => `Report ${n}`).sort(),
    );
  });

  it('takes 100 role recipients per hour from everyone together, then refuses every client with 450 4.7.1', async () => {
    h = await start();
    // Ten clients use their ten each at RCPT (a recipient is counted when accepted, whether or not DATA follows).
    for (let c = 0; c < 10; c++) {
      const client = await connectFrom(`127.0.1.${c + 1}`);
      for (let n = 0; n < 10; n++) {
        expect((await client.command('MAIL FROM:<abuse-desk@isp.example>')).code).toBe(250);
        expect((await client.command(`RCPT TO:<postmaster@${DOMAIN}>`)).code).toBe(250);
        expect((await client.command('RSET')).code).toBe(250);
      }
      await client.quit();
    }
    const fresh = await connectFrom('127.0.2.1');
    const r = await fresh.send('abuse-desk@isp.example', [`abuse@${DOMAIN}`], report(1, `abuse@${DOMAIN}`));
    expect(r.stage).toBe('rcpt');
    expect(r.reply.code).toBe(450);
    expect(r.reply.text).toMatch(/^4\.7\.1 too much mail to postmaster and abuse/);
    await fresh.quit();
  });
});
