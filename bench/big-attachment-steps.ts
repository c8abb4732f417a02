// Times the CPU-bound steps of the relay on one message carrying a large base64 attachment (the
// peer-bench memory tier's shape: 16 MB of random bytes named x.pdf), in-process, with the memory
// each step leaves: `npx tsx bench/big-attachment-steps.ts [MB]`.
import { randomBytes } from 'node:crypto';
import { authenticateMail } from '../src/smtp/authenticate.js';
import { prepareMail } from '../src/relay/work.js';
import { parseMail } from '../src/relay/parse.js';

const mb = Number(process.argv[2] ?? 16);
const att = randomBytes((mb * 1024 * 1024 * 3) / 4)
  .toString('base64')
  .replace(/.{76}/g, '$&\r\n');
const raw = Buffer.from(
  'From: bench@example.org\r\nTo: x@relay.test\r\nSubject: photos\r\nMIME-Version: 1.0\r\n' +
    'Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n' +
    `--b1\r\nContent-Type: application/pdf; name=x.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n${att}\r\n--b1--\r\n`,
  'latin1',
);
const rss = () => `${Math.round(process.memoryUsage().rss / 1048576)} MB RSS`;
const time = async <T>(label: string, f: () => Promise<T>): Promise<T> => {
  const t = performance.now();
  const r = await f();
  console.log(`${label.padEnd(14)} ${Math.round(performance.now() - t)} ms, ${rss()}`);
  return r;
};
for (let round = 0; round < 2; round++) {
  console.log(`round ${round + 1}: ${(raw.length / 1e6).toFixed(1)} MB`);
  await time('authenticate', () =>
    authenticateMail(raw, { ip: '127.0.0.1', helo: 'example.org', envelopeFrom: 'bench@example.org' }, async () => [], 'relay.test'),
  );
  const mail = await time('parse', () => parseMail(raw, 120_000));
  await time('prepare', () =>
    prepareMail({
      mail,
      ctx: {
        direction: 'buyer_to_store',
        aliasAddress: 'tok@relay.test',
        store: { id: 1, slug: 'acme', name: 'Acme', mailbox: 'support@acme.example' },
        buyer: { name: 'Bench', email: 'bench@example.org' },
        hide: { addresses: ['bench@example.org'], names: [] },
        messageId: '<m@relay.test>',
        threading: { inReplyTo: null, references: [], dropped: 0 },
        now: new Date(),
      },
      campaign: null,
      compose: true,
    }),
  );
}
