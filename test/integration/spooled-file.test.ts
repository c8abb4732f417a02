// A message larger than FILE_FROM that arrives into its spool file is processed from that file, a
// piece at a time (store/spooled-bytes.ts; README "Round 22: the memory tier"): its header block,
// parse and DKIM check read the file, and the commit stores the original from it one piece at a
// time. What the recipient gets and what is stored must be what they were when the file was read
// back whole: the attachment delivered byte for byte, the writer masked, the original row the
// bytes sent, and no spool file left once the session is answered.
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FILE_FROM } from '../../src/store/spooled-bytes.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => h.close());

const WRITER = 'jane@buyer.example';

/** How many descriptors this process (the gateway and its pool threads) holds open on files under `dir`. */
function openUnder(dir: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
    } catch {
      return false;
    }
  }).length;
}

/** The original as stored: message_bodies.raw, then message_body_pieces by seq. */
function storedOriginal(messageId: number): Buffer {
  const first = h.gw.db.prepare('SELECT raw FROM message_bodies WHERE message_id = ?').get(messageId) as { raw: Buffer };
  const later = h.gw.db.prepare('SELECT bytes FROM message_body_pieces WHERE message_id = ? ORDER BY seq').all(messageId) as { bytes: Buffer }[];
  return Buffer.concat([first.raw, ...later.map((r) => r.bytes)]);
}

describe('a message processed from its spool file', () => {
  it('delivers its attachment byte for byte with the writer masked, stores the original as sent, and leaves no spool file', async () => {
    const { address } = await seedPair(h);
    const line = 'order 12345, the kettle arrived, all fine, thanks. 0123456789\r\n';
    const notes = Buffer.from(line.repeat(Math.ceil((FILE_FROM * 1.2) / line.length)), 'latin1');
    const message = Buffer.from(
      `From: Jane <${WRITER}>\r\nTo: ${address}\r\nSubject: the notes\r\nMessage-ID: <big-1@buyer.example>\r\nMIME-Version: 1.0\r\n` +
        'Content-Type: multipart/mixed; boundary=b1\r\n\r\n' +
        `--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nplease write to ${WRITER}, notes attached\r\n` +
        `--b1\r\nContent-Type: text/plain; name=notes.txt\r\nContent-Disposition: attachment; filename=notes.txt\r\nContent-Transfer-Encoding: base64\r\n\r\n` +
        `${notes.toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n--b1--\r\n`,
      'latin1',
    );
    // Past FILE_FROM, and past what the byte budget keeps in memory while it arrives (8 × its size > 48 MiB): to a spool file.
    expect(message.length).toBeGreaterThan(FILE_FROM);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    const r = await c.send(WRITER, [address], message);
    await c.quit();
    expect(r.reply.code).toBe(250);

    const [arrived] = await h.sink!.waitFor(1, 120_000);
    const delivered = await simpleParser(arrived!.raw);
    expect(delivered.subject).toBe('the notes');
    expect(delivered.text).toContain(`please write to ${address}`);
    expect(delivered.text).not.toContain(WRITER);
    const attachment = delivered.attachments.find((a) => a.filename === 'notes.txt');
    expect(attachment?.content.equals(notes)).toBe(true);

    const messageId = Number(/queued as (\d+)/.exec(r.reply.text)?.[1]);
    expect(storedOriginal(messageId).equals(message)).toBe(true);
    expect(readdirSync(join(h.dataDir, 'spool'))).toEqual([]);
  }, 120_000);

  it('holds no descriptor of its spool file once answered, also when the parse fails part way (more MIME parts than mailparser takes)', async () => {
    const { address } = await seedPair(h);
    // 1001 parts first: mailparser stops there with an error, long before the file's end.
    const parts = Array.from({ length: 1001 }, (_, i) => `--b1\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('');
    const filler = `--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${`${'QUJD'.repeat(19)}\r\n`.repeat(Math.ceil((FILE_FROM * 1.6) / 78))}`;
    const spool = join(h.dataDir, 'spool');
    for (let k = 0; k < 3; k++) {
      const message = Buffer.from(
        `From: Jane <${WRITER}>\r\nTo: ${address}\r\nSubject: parts ${k}\r\nMessage-ID: <parts-${k}@buyer.example>\r\nMIME-Version: 1.0\r\n` +
          `Content-Type: multipart/mixed; boundary=b1\r\n\r\n${parts}${filler}\r\n--b1--\r\n`,
        'latin1',
      );
      expect(message.length).toBeGreaterThan(FILE_FROM);
      const c = await SmtpClient.connect(h.gw.smtpPort);
      const r = await c.send(WRITER, [address], message);
      await c.quit();
      expect(r.reply.code).toBe(554);
    }
    // Removed and closed after the answer: waited for (bounded), not a fixed 500 ms a loaded machine can exceed.
    await expect.poll(() => readdirSync(spool)).toEqual([]);
    // A descriptor left open would keep each removed file's disk space, and the process's descriptors, until restart.
    await expect.poll(() => openUnder(spool)).toBe(0);
  }, 120_000);

  it('reads a 1 MB header block of a 20 MB message to its end and delivers it, and refuses a longer one (552 5.3.4) without reading the file whole', async () => {
    const { address } = await seedPair(h);
    const fields = Array.from({ length: 900 }, (_, i) => `X-Pad-${i}: ${'p'.repeat(200)}\r\n${` ${'q'.repeat(210)}\r\n`.repeat(4)}`).join('');
    const body = 'a long letter, line after line, 0123456789\r\n'.repeat(Math.ceil((19 * 1024 * 1024) / 44));
    const send = async (extra: string) => {
      const message = Buffer.from(
        `From: Jane <${WRITER}>\r\nTo: ${address}\r\nSubject: long header ${extra.length}\r\nMessage-ID: <long-${extra.length}@buyer.example>\r\n${fields}${extra}\r\n${body}`,
        'latin1',
      );
      const c = await SmtpClient.connect(h.gw.smtpPort);
      const r = await c.send(WRITER, [address], message);
      await c.quit();
      return r.reply;
    };
    const accepted = await send('');
    expect(accepted.code).toBe(250);
    const [arrived] = await h.sink!.waitFor(1, 120_000);
    const delivered = await simpleParser(arrived!.raw);
    expect(delivered.subject).toBe('long header 0');
    // 200 KB more of one field: the empty line comes past 1 MiB.
    const refused = await send(`X-Long: x\r\n${` ${'z'.repeat(2000)}\r\n`.repeat(100)}`);
    expect([refused.code, refused.text]).toEqual([552, expect.stringMatching(/5\.3\.4 .*more than 1 MiB before the empty line/)]);
    // Each file is removed once its session is answered.
    await expect.poll(() => readdirSync(join(h.dataDir, 'spool'))).toEqual([]);
    expect(openUnder(join(h.dataDir, 'spool'))).toBe(0);
  }, 180_000);
});
