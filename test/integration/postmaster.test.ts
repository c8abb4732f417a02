// postmaster@ and abuse@ every relay domain reach a person (RFC 5321 §4.5.1, RFC 2142): the
// owner's account address, or smtp.postmaster; before anyone owns the gateway they are refused
// with a sentence saying so. Over real SMTP, read at the sink.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE } from '../../src/store/db.js';
import { DOMAIN, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const send = (from: string, to: string, message: string) => SmtpClient.sendOnce(h.gw.smtpPort, from, to, message);

function addOwner(email: string): void {
  const db = new Database(join(h.dataDir, DB_FILE));
  try {
    db.prepare("INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, 'Olive Owner', 'owner', 'x', ?)").run(email, Date.now());
  } finally {
    db.close();
  }
}

describe('postmaster@ and abuse@ the relay domains', () => {
  it('refuses them with a sentence before an owner exists, then delivers them to the owner with the usual filters', async () => {
    h = await startHarness();
    const before = await send(
      'admin@isp.example',
      `postmaster@${DOMAIN}`,
      buildMessage({ from: 'admin@isp.example', to: `postmaster@${DOMAIN}`, subject: 'x', body: 'x' }),
    );
    expect(before.stage).toBe('rcpt');
    expect(before.reply.code).toBe(550);
    expect(before.reply.text).toMatch(/^5\.1\.1 postmaster and abuse mail has nowhere to go yet/);

    addOwner('olive@owner.example');
    const report = buildMessage({
      from: 'Abuse Desk <abuse-desk@isp.example>',
      to: `abuse@${DOMAIN}`,
      subject: 'Complaint about a message',
      body: 'A customer of ours reported spam. <script>alert(1)</script>',
    });
    expect((await send('abuse-desk@isp.example', `abuse@${DOMAIN}`, report)).reply.code).toBe(250);
    // RFC 5321 §4.5.1: postmaster accepts mail from the null sender too (reports, DSNs).
    const dsn = buildMessage({ from: `MAILER-DAEMON@mx.isp.example`, to: `Postmaster@${DOMAIN}`, subject: 'Undelivered Mail', body: 'a report' });
    expect((await send('', `Postmaster@${DOMAIN}`, dsn)).reply.code).toBe(250);

    // Both are queued before the worker may claim them: delivered at once (outbound.concurrency), they
    // reach the sink in either order. Told apart by what they say, not by their order.
    const both = await h.sink!.waitFor(2);
    const abuse = both.find((m) => m.raw.toString('latin1').includes('Complaint about a message'));
    const postmaster = both.find((m) => m.raw.toString('latin1').includes('Undelivered Mail'));
    expect(abuse!.to).toEqual(['olive@owner.example']);
    expect(abuse!.from).toBe('');
    const parsed = await simpleParser(abuse!.raw);
    expect(parsed.subject).toBe(`[abuse@${DOMAIN}] Complaint about a message`);
    expect(parsed.from?.value[0]?.address).toBe(`abuse@${DOMAIN}`);
    expect(parsed.replyTo?.value[0]?.address).toBe('abuse-desk@isp.example');
    expect(parsed.text).toContain('A customer of ours reported spam.');
    expect(postmaster!.to).toEqual(['olive@owner.example']);
    // Not a conversation: nothing in the message list.
    expect((await h.api('GET', '/api/v1/messages')).body.items).toHaveLength(0);
  });

  it('delivers them to smtp.postmaster when it is set', async () => {
    h = await startHarness({ smtp: { port: 0, host: '127.0.0.1', postmaster: 'ops@operator.example' } });
    const r = await send(
      'admin@isp.example',
      `postmaster@${DOMAIN}`,
      buildMessage({ from: 'admin@isp.example', to: `postmaster@${DOMAIN}`, subject: 'Your MX', body: 'hello' }),
    );
    expect(r.reply.code).toBe(250);
    // Stored as no message of a conversation: the answer names the delivery queued, not an empty id.
    expect(r.reply.text).toMatch(/^2\.0\.0 Ok: queued as delivery \d+$/);
    const [m] = await h.sink!.waitFor(1);
    expect(m!.to).toEqual(['ops@operator.example']);
  });

  it('refuses a store slug that would take a role mailbox', async () => {
    h = await startHarness();
    const r = await h.api('POST', '/api/v1/stores', { slug: 'postmaster', name: 'Sneaky', mailbox: 'x@sneaky.example' });
    expect(r.status).toBe(400);
  });
});
