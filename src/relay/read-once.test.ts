// A message in its spool file is parsed and DKIM-checked from ONE read of the file (work.ts
// readSideBySide, store/spooled-bytes.ts readShared): the same results as each reading the file
// itself, and every byte read once.
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signSetup } from '../outbound/dkim-sign.js';
import { dkimSignMessage } from '../outbound/dkim-sign.js';
import { ensureDkimKey } from '../outbound/dkim.js';
import { authenticateMail, type SessionFacts } from '../smtp/authenticate.js';
import { readStream, type OpenSpool, type SpooledFile } from '../store/spooled-bytes.js';
import { dkimSignatures } from '../../test/helpers/dkim.js';
import { parseReceived } from './parse.js';
import { ParseTimeout, readMail, type Verification } from './work.js';

const dir = mkdtempSync(join(tmpdir(), 'mg-read-once-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const key = ensureDkimKey(dir, 'buyer.example', 'sel');

const resolver = async (name: string, rrtype: string): Promise<unknown[]> => {
  const txt: Record<string, string> = {
    'buyer.example': 'v=spf1 ip4:192.0.2.7 -all',
    'sel._domainkey.buyer.example': `v=DKIM1; k=rsa; p=${key.publicKey}`,
    '_dmarc.buyer.example': 'v=DMARC1; p=reject',
  };
  const record = rrtype === 'TXT' ? txt[name.toLowerCase()] : undefined;
  if (record) return [[record]];
  throw Object.assign(new Error(`no ${rrtype} for ${name}`), { code: 'ENOTFOUND' });
};
const session: SessionFacts = { ip: '198.51.100.1', helo: 'mx.buyer.example', envelopeFrom: 'jane@buyer.example' };
const verify: Verification = { session, resolver, mta: 'mx.relay.test' };

/** Opens spool files from disk, counting every byte read from them and the files still open. */
function counting(): { open: OpenSpool; bytes: () => number; openFiles: () => number } {
  let bytes = 0;
  let openFiles = 0;
  return {
    bytes: () => bytes,
    openFiles: () => openFiles,
    open: async (file) => {
      const h = await open(file, 'r');
      openFiles++;
      return {
        read: async (buffer, offset, length, position) => {
          const r = await h.read(buffer, offset, length, position);
          bytes += r.bytesRead;
          return r;
        },
        close: () => {
          openFiles--;
          return h.close();
        },
      };
    },
  };
}

/** How many of this process's open file descriptors name `file`. */
const descriptorsOn = (file: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false;
    }
  }).length;

const head = 'From: Jane <jane@buyer.example>\r\nTo: tok@relay.test\r\nSubject: a large one\r\nMessage-ID: <a@buyer.example>\r\n';
const lines = (n: number) => 'a long letter, line after line, 0123456789\r\n'.repeat(n);
const pdf = Buffer.from(Array.from({ length: 3 * 1024 * 1024 }, (_, i) => (i * 131 + (i >> 9)) & 0xff));
const mixed = (body: string) =>
  Buffer.from(
    `${head}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n${body}\r\n` +
      `--b1\r\nContent-Type: application/pdf; name="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n` +
      `${(
        Buffer.concat([Buffer.from('%PDF-1.4\n'), pdf])
          .toString('base64')
          .match(/.{1,76}/g) ?? []
      ).join('\r\n')}\r\n--b1--\r\n`,
  );

async function cases(): Promise<[string, Buffer][]> {
  const signed = await dkimSignMessage(mixed(lines(20_000)), signSetup(key));
  const plain = Buffer.from(`${head}\r\n${lines(110_000)}`);
  const withLength = Buffer.concat([
    Buffer.from(await dkimSignatures(plain, [{ signingDomain: 'buyer.example', selector: 'sel', privateKey: key.privateKeyPem, maxBodyLength: 1000 }])),
    plain,
    Buffer.from('appended after signing\r\n'),
  ]);
  return [
    ['DKIM pass (a removed PDF, 5 MB)', signed],
    ['DKIM fail (body changed after signing)', Buffer.concat([signed, Buffer.from('one more line\r\n')])],
    ['DKIM pass with a body length tag, bytes appended past it', withLength],
    [
      'broken MIME (more parts than the parser takes)',
      Buffer.from(`${head}Content-Type: multipart/mixed; boundary="x"\r\n\r\n${'--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n'.repeat(1500)}--x--\r\n`),
    ],
  ];
}

/** The outcome a user sees: the results, or the error's kind and message. */
const outcome = (p: Promise<unknown>) =>
  p.then(
    (v) => JSON.parse(JSON.stringify(v)) as unknown,
    (err: Error) => ({ failed: err.constructor.name, message: err.message }),
  );

describe('a message in its spool file, parsed and DKIM-checked', () => {
  it('reads the file once for both, with the results of each reading it itself', async () => {
    for (const [name, raw] of await cases()) {
      const file = join(dir, `${name.replace(/\W+/g, '-')}.eml`);
      writeFileSync(file, raw);
      const spooled: SpooledFile = { file, byteLength: raw.length };
      const reads = counting();
      const once = await outcome(readMail(spooled, 60_000, verify, reads.open));
      // The two-read path: each reads the file by itself (as before round 23).
      const [mail, auth] = await Promise.allSettled([parseReceived(spooled, 60_000), authenticateMail(spooled, session, resolver, 'mx.relay.test')]);
      const twice =
        auth.status === 'rejected'
          ? await outcome(Promise.reject(auth.reason as Error))
          : mail.status === 'rejected'
            ? await outcome(Promise.reject(mail.reason as Error))
            : await outcome(Promise.resolve({ mail: mail.value, auth: auth.value, kept: null }));
      expect(once, name).toEqual(twice);
      expect(reads.bytes(), name).toBe(raw.length);
    }
    // What the cases show: a pass, a fail, a signature over its l= bytes, a parse failure.
    const results = [];
    for (const [, raw] of await cases()) results.push(await outcome(readMail(raw, 60_000, verify)));
    expect(results.map((r) => (r as { auth?: { dkim: { result: string }[] } }).auth?.dkim.map((d) => d.result) ?? r)).toMatchObject([
      ['pass'],
      ['neutral'],
      ['pass'],
      { message: expect.stringMatching(/child nodes/) },
    ]);
  }, 120_000);

  it('closes the file as soon as a parse times out, not when its read would have ended', async () => {
    const raw = mixed(lines(20_000));
    const file = join(dir, 'times-out.eml');
    writeFileSync(file, raw);
    // A deadline of 1 ms: a 5 MB message is far from parsed then. The file is closed once the read in
    // flight returns (a handle is never closed under a read), and nothing is read after it.
    const stopsReading = async (parsing: (open: OpenSpool) => Promise<unknown>) => {
      const reads = counting();
      await expect(parsing(reads.open)).rejects.toBeInstanceOf(ParseTimeout);
      await expect.poll(() => reads.openFiles()).toBe(0);
      const readThen = reads.bytes();
      await new Promise((r) => setTimeout(r, 200));
      expect([readThen < raw.length, reads.bytes()]).toEqual([true, readThen]);
    };
    const spooled = { file, byteLength: raw.length };
    // The read of a received message (the pool thread's, readMail's)…
    await stopsReading((open) => readMail(spooled, 1, null, open));
    // …and the parse alone of a stream of the file (a reparse reads the file so: readStream).
    await stopsReading((open) => parseReceived(readStream(spooled, open), 1));
    // No descriptor left on it, from the default opener either.
    await expect(parseReceived(spooled, 1)).rejects.toBeInstanceOf(ParseTimeout);
    await expect.poll(() => descriptorsOn(file)).toBe(0);
  });
});
