// The relay over real sockets on both storage adapters: the same conversation through the SQLite
// gateway (startGateway) and a PostgreSQL node (startPgGateway, on a fresh database of the run's
// throwaway cluster), seeded with the same SQL. What a user checks: the store gets the buyer's mail
// masked and from the alias, the staff reply reaches the buyer threaded under her own message with
// no staff address, a first-time visitor gets one pair, a blocked sender is refused after DATA with
// a message.refused event and nothing stored, an unknown alias is refused at RCPT.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SettingsStore } from '../../src/store/ports.js';
import { sqliteStorage } from '../../src/store/sqlite/storage.js';
import { aliasAddress } from '../../src/core/alias-token.js';
import { startGateway } from '../../src/gateway.js';
import { startPgGateway } from '../../src/gateway-pg.js';
import { isRefusal } from '../../src/core/alias-token.js';
import type { Relay } from '../../src/relay/pipeline.js';
import { newToken } from '../../src/store/pairs.js';
import type { Storage } from '../../src/store/ports.js';
import { mailboxSender, sendAdminReply } from '../../src/usecases/admin-reply.js';
import { hashPassword } from '../../src/store/passwords.js';
import { closer, nodeConfig, pgExec, poolOf, sqliteExec } from '../helpers/adapter-nodes.js';
import { makeCert } from '../helpers/certs.js';
import { TINY_PNG } from '../helpers/files.js';
import { DOMAIN, LOCAL_SPF } from '../helpers/gateway.js';
import { freshDatabase } from '../helpers/postgres.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

// A throwaway self-signed certificate for 127.0.0.1: the submission port needs one.
const certDir = mkdtempSync(join(tmpdir(), 'maskgate-cert-'));
const { cert: certFile, key: keyFile } = makeCert(certDir, 'adapters');
afterAll(() => rmSync(certDir, { recursive: true, force: true }));

interface Node {
  /** The node's pipeline and storage ports: what the admin's reply box sends through. */
  readonly relay: Relay;
  readonly storage: Storage;
  readonly smtpPort: number;
  readonly submissionPort: number;
  readonly sink: Sink;
  /** SQL with `?` placeholders on the node's database. */
  exec(sql: string, args?: unknown[]): Promise<Record<string, unknown>[]>;
  /** The settings port on the node's database (banned words, category rules). */
  readonly settings: SettingsStore;
  close(): Promise<void>;
}

function config(dataDir: string, sink: Sink, url: string | null) {
  return nodeConfig(dataDir, sink, url, {
    tls: { cert: certFile, key: keyFile },
    submission: { enabled: true, host: '127.0.0.1', port: 0 },
    api: { token: 'relay-adapters-token-0123456789' },
  });
}

async function sqliteNode(): Promise<Node> {
  const dataDir = mkdtempSync(join(tmpdir(), 'maskgate-adapters-'));
  const sink = await startSink();
  const gw = await startGateway(config(dataDir, sink, null), pino({ level: 'silent' }), { resolver: LOCAL_SPF });
  return {
    relay: gw.relay,
    storage: sqliteStorage(gw.db, { sessionTtlMs: 60_000 }),
    smtpPort: gw.smtpPort,
    submissionPort: gw.submissionPort as number,
    sink,
    settings: sqliteStorage(gw.db, { sessionTtlMs: 0 }).settings,
    exec: sqliteExec(gw.db),
    close: closer(gw, sink, dataDir),
  };
}

async function pgNode(): Promise<Node> {
  const dataDir = mkdtempSync(join(tmpdir(), 'maskgate-adapters-'));
  const sink = await startSink();
  const gw = await startPgGateway(config(dataDir, sink, await freshDatabase()), pino({ level: 'silent' }), { resolver: LOCAL_SPF });
  const pool = poolOf(gw.storage);
  return {
    relay: gw.relay,
    storage: gw.storage,
    smtpPort: gw.smtpPort,
    submissionPort: gw.submissionPort as number,
    sink,
    settings: gw.storage.settings,
    exec: pgExec(pool),
    close: closer(gw, sink, dataDir),
  };
}

const adapters: [string, () => Promise<Node>][] = [
  ['SQLite', sqliteNode],
  ['PostgreSQL', pgNode],
];

describe.each(adapters)('the relay on %s', (_name, make) => {
  let n: Node;
  let alias = '';
  let buyerMessageRelayId = '';
  const JANE_ORIGINAL_ID = '<jane-1@buyer.example>';
  beforeAll(async () => {
    n = await make();
    const now = Date.now();
    const store = Number(
      (await n.exec("INSERT INTO stores (slug, name, mailbox, created_at) VALUES ('acme', 'Acme Store', 'support@acme.example', ?) RETURNING id", [now]))[0]
        ?.id,
    );
    for (const [email, status] of [
      ['support@acme.example', 'enabled'],
      ['john@acme.example', 'enabled'],
      ['gone@acme.example', 'blocked'],
    ])
      await n.exec('INSERT INTO permitted_senders (store_id, email, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [store, email, status, now, now]);
    const buyer = Number(
      (await n.exec("INSERT INTO buyers (email, name, kind, created_at) VALUES ('jane@buyer.example', 'Jane Doe', 'customer', ?) RETURNING id", [now]))[0]?.id,
    );
    const token = newToken();
    const pair = Number(
      (await n.exec('INSERT INTO pairs (store_id, buyer_id, token, created_at) VALUES (?, ?, ?, ?) RETURNING id', [store, buyer, token, now]))[0]?.id,
    );
    await n.exec(
      "INSERT INTO orders (store_id, pair_id, number, status, currency, total_minor, placed_at, created_at, updated_at) VALUES (?, ?, 'A-100', 'completed', 'EUR', 1999, ?, ?, ?)",
      [store, pair, now, now, now],
    );
    alias = aliasAddress(token, DOMAIN);
  }, 180_000);
  afterAll(async () => n?.close());

  const send = (from: string, to: string, message: string) => SmtpClient.sendOnce(n.smtpPort, from, to, message);

  it('forwards a buyer message to the store mailbox from the alias, masked, stored with its message.received event', async () => {
    const r = await send(
      'jane@buyer.example',
      alias,
      buildMessage({
        from: 'Jane Doe <jane@buyer.example>',
        to: alias,
        subject: 'Where is my kettle?',
        body: 'My order A-100 has not arrived.\nJane, jane@buyer.example',
        messageId: JANE_ORIGINAL_ID,
      }),
    );
    expect(r.reply.code).toBe(250);
    const [m] = await n.sink.waitFor(1);
    expect(m!.to).toEqual(['support@acme.example']);
    expect(m!.raw.toString().toLowerCase()).not.toContain('jane@buyer.example');
    const parsed = await simpleParser(m!.raw);
    expect(parsed.from?.value[0]).toEqual({ name: 'Jane Doe', address: alias });
    buyerMessageRelayId = parsed.messageId as string;
    const stored = await n.exec('SELECT id, direction, subject FROM messages WHERE subject = ?', ['Where is my kettle?']);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ direction: 'buyer_to_store' });
    const events = await n.exec("SELECT data FROM events WHERE type = 'message.received'");
    expect(events.map((e) => JSON.parse(String(e.data)) as { alias: string; messageId: number })).toEqual([
      expect.objectContaining({ alias: alias.split('@')[0], messageId: Number(stored[0]?.id) }),
    ]);
  });

  it('delivers the staff reply to the buyer, threaded under her own message, with no staff address', async () => {
    const r = await send(
      'john@acme.example',
      alias,
      buildMessage({
        from: 'John Smith <john@acme.example>',
        to: alias,
        subject: 'Re: Where is my kettle? Order A-100',
        body: 'It ships tomorrow. John Smith, john@acme.example',
        inReplyTo: buyerMessageRelayId,
        references: buyerMessageRelayId,
      }),
    );
    expect(r.reply.code).toBe(250);
    const [, m] = await n.sink.waitFor(2);
    expect(m!.to).toEqual(['jane@buyer.example']);
    const raw = m!.raw.toString();
    expect(raw).not.toContain('john@acme.example');
    expect(raw).not.toContain('John Smith');
    const parsed = await simpleParser(m!.raw);
    expect(parsed.from?.value[0]?.address).toBe(alias);
    expect(parsed.inReplyTo).toBe(JANE_ORIGINAL_ID);
    expect(parsed.text).toContain('It ships tomorrow.');
  });

  it('makes one pair for a first-time visitor writing to the store contact address', async () => {
    const to = `acme@${DOMAIN}`;
    for (const subject of ['Do you ship to Malta?', 'And to Gozo?']) {
      const r = await send('vic@buyer.example', to, buildMessage({ from: 'Vic <vic@buyer.example>', to, subject, body: 'Thanks' }));
      expect(r.reply.code).toBe(250);
    }
    const delivered = await n.sink.waitFor(4);
    expect(delivered.slice(2).map((m) => m.to)).toEqual([['support@acme.example'], ['support@acme.example']]);
    const pairs = await n.exec("SELECT p.token FROM pairs p JOIN buyers b ON b.id = p.buyer_id WHERE b.email = 'vic@buyer.example'");
    expect(pairs).toHaveLength(1);
    for (const m of delivered.slice(2)) expect((await simpleParser(m.raw)).from?.value[0]?.address).toBe(aliasAddress(String(pairs[0]?.token), DOMAIN));
  });

  it('refuses a blocked permitted sender after DATA, stores nothing and writes one message.refused event', async () => {
    const before = await n.exec('SELECT count(*) AS n FROM messages');
    const r = await send('gone@acme.example', alias, buildMessage({ from: 'gone@acme.example', to: alias, subject: 'Still here', body: 'hi' }));
    expect(r.reply.code).toBe(550);
    expect(await n.exec('SELECT count(*) AS n FROM messages')).toEqual(before);
    const refused = await n.exec("SELECT data FROM events WHERE type = 'message.refused'");
    expect(refused.map((e) => (JSON.parse(String(e.data)) as { alias: string }).alias)).toEqual([alias.split('@')[0]]);
  });

  it('takes a staff message on the submission port with an app password from the database, and delivers it to the buyer', async () => {
    const [sender] = await n.exec("SELECT id FROM permitted_senders WHERE email = 'john@acme.example'");
    await n.exec('INSERT INTO submission_credentials (permitted_sender_id, label, hash, created_at) VALUES (?, ?, ?, ?)', [
      sender?.id,
      'Outlook',
      await hashPassword('app-password-of-john'),
      Date.now(),
    ]);
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: n.submissionPort,
      secure: false,
      requireTLS: true,
      auth: { user: 'john@acme.example', pass: 'app-password-of-john' },
      tls: { ca: readFileSync(certFile) },
    });
    try {
      const info = await transport.sendMail({
        from: 'John Smith <john@acme.example>',
        to: alias,
        subject: 'Your order A-100 has shipped',
        text: 'Tracking: 123',
      });
      expect(info.response).toMatch(/^250 /);
    } finally {
      transport.close();
    }
    const wrong = nodemailer.createTransport({
      host: '127.0.0.1',
      port: n.submissionPort,
      secure: false,
      requireTLS: true,
      auth: { user: 'john@acme.example', pass: 'not-the-app-password' },
      tls: { ca: readFileSync(certFile) },
    });
    await expect(wrong.sendMail({ from: 'john@acme.example', to: alias, subject: 'x', text: 'x' })).rejects.toThrow(/535/);
    wrong.close();
    const delivered = await n.sink.waitFor(5);
    const m = delivered.find((d) => d.raw.includes('Subject: Your order A-100 has shipped'));
    expect(m?.to).toEqual(['jane@buyer.example']);
    expect(m?.raw.toString()).not.toContain('john@acme.example');
    const [used] = await n.exec('SELECT last_used_at AS t FROM submission_credentials');
    expect(Number(used?.t)).toBeGreaterThan(0);
  });

  it('takes a message whose name, subject and text decode to NUL characters (quoted-printable =00), as every database stores it', async () => {
    const to = `acme@${DOMAIN}`;
    const raw = [
      'From: =?utf-8?q?Nul=00Nora?= <nora@buyer.example>',
      `To: ${to}`,
      'Subject: =?utf-8?q?Zero=00byte_subject?=',
      'Message-ID: <nul-1@buyer.example>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'A zero=00byte in the text.',
      '',
    ].join('\r\n');
    const r = await send('nora@buyer.example', to, raw);
    expect(r.reply.code).toBe(250);
    const delivered = await n.sink.waitFor(6);
    const texts = await Promise.all(delivered.map(async (m) => (await simpleParser(m.raw)).text ?? ''));
    expect(texts.some((t) => t.includes('byte in the text'))).toBe(true);
    expect(await n.exec("SELECT b.name FROM buyers b WHERE b.email = 'nora@buyer.example'")).toHaveLength(1);
  });

  it('refuses a staff message with the banned words the settings hold, naming them, and takes it once they are removed', async () => {
    const global = await n.settings.addBannedWord('WhatsApp', null);
    const own = await n.settings.addBannedWord('wire transfer', Number((await n.exec("SELECT id FROM stores WHERE slug = 'acme'"))[0]?.id));
    const text = 'Order A-100: write me on WhatsApp, or pay by wire transfer.';
    const message = buildMessage({ from: 'john@acme.example', to: alias, subject: 'Re: Order A-100', body: text });
    const refused = await send('john@acme.example', alias, message);
    expect(refused.reply.code).toBe(550);
    expect(refused.reply.lines.join(' ')).toMatch(/5\.7\.1 the message contains banned words: (whatsapp, wire transfer|wire transfer, whatsapp)/);
    await n.settings.removeBannedWord(global?.id as number);
    await n.settings.removeBannedWord(own?.id as number);
    expect((await send('john@acme.example', alias, message)).reply.code).toBe(250);
  });

  it("sends a reply written in the admin's reply box as the store's mailbox: masked, threaded under the buyer's latest message, and the writer's draft is gone", async () => {
    const token = alias.split('@')[0] as string;
    const pairId = Number((await n.exec('SELECT id FROM pairs WHERE token = ?', [token]))[0]?.id);
    const userId = Number(
      (
        await n.exec(
          "INSERT INTO users (email, name, role, password_hash, created_at) VALUES ('olga@acme.example', 'Olga Owner', 'owner', 'x', ?) RETURNING id",
          [Date.now()],
        )
      )[0]?.id,
    );
    await n.storage.inbox.saveDraft(userId, pairId, { subject: 'Re: Where is my kettle?', body: 'Order A-100 left', orderNumber: 'A-100' });
    const sender = await mailboxSender(n.storage, pairId);
    expect(sender).toMatchObject({ email: 'support@acme.example' });
    const before = n.sink.messages.length;
    const result = await sendAdminReply(n.relay, n.storage, {
      pairId,
      alias: token,
      userId,
      sender: sender!,
      subject: 'Re: Where is my kettle?',
      text: 'Order A-100 left our warehouse today. Olga, support@acme.example',
      log: pino({ level: 'silent' }),
    });
    expect(isRefusal(result)).toBe(false);
    // The reply, found by its text: an earlier case's accepted message may still be on its way to the sink.
    let m = n.sink.messages.slice(before).find((x) => x.raw.toString().includes('left our warehouse today'));
    for (let i = 0; !m && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      m = n.sink.messages.slice(before).find((x) => x.raw.toString().includes('left our warehouse today'));
    }
    if (!m) throw new Error('the reply never reached the sink');
    expect(m.to).toEqual(['jane@buyer.example']);
    expect(m.raw.toString()).not.toContain('support@acme.example');
    const parsed = await simpleParser(m.raw);
    expect(parsed.from?.value[0]?.address).toBe(alias);
    const [lastBuyer] = await n.exec(
      "SELECT original_message_id AS id FROM messages WHERE pair_id = ? AND direction = 'buyer_to_store' ORDER BY id DESC LIMIT 1",
      [pairId],
    );
    expect(parsed.inReplyTo).toBe(lastBuyer?.id);
    expect(parsed.text).toContain('Order A-100 left our warehouse today.');
    expect(await n.storage.inbox.draft(userId, pairId)).toBeNull();
    const thread = await n.storage.inbox.conversation(pairId);
    expect(thread[thread.length - 1]).toMatchObject({ direction: 'store_to_buyer', source: 'web', subject: 'Re: Where is my kettle?' });
  });

  it("marks the conversation with the inbox's paperclip when the delivered copy carries a file, and not for one without", async () => {
    const files = async () =>
      Number((await n.exec('SELECT c.files FROM conversations c JOIN pairs p ON p.id = c.pair_id WHERE p.token = ?', [alias.split('@')[0]]))[0]?.files);
    expect(await files()).toBe(0);
    const sent = n.sink.messages.length;
    const boundary = 'b-paperclip';
    const r = await send(
      'jane@buyer.example',
      alias,
      [
        'From: Jane Doe <jane@buyer.example>',
        `To: ${alias}`,
        'Subject: The photo',
        'Message-ID: <jane-photo@buyer.example>',
        'MIME-Version: 1.0',
        `Content-Type: multipart/mixed; boundary=${boundary}`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'The dent, photographed.',
        `--${boundary}`,
        'Content-Type: image/png; name=dent.png',
        'Content-Disposition: attachment; filename=dent.png',
        'Content-Transfer-Encoding: base64',
        '',
        TINY_PNG.toString('base64'),
        `--${boundary}--`,
        '',
      ].join('\r\n'),
    );
    expect(r.reply.code).toBe(250);
    const delivered = await n.sink.waitFor(sent + 1);
    expect((await simpleParser(delivered.at(-1)!.raw)).attachments.map((a) => a.filename)).toEqual(['dent.png']);
    expect(await files()).toBe(1);
  });

  it('refuses an unknown alias at RCPT', async () => {
    const c = await SmtpClient.connect(n.smtpPort);
    try {
      await c.command('MAIL FROM:<jane@buyer.example>');
      const r = await c.command(`RCPT TO:<${newToken()}@${DOMAIN}>`);
      expect(r.code).toBe(550);
    } finally {
      c.destroy();
    }
  });
});
