// The parse step with and without one of its mailparser changes, in one process, rounds interleaved
// (robust to the machine's load moving): `npx tsx bench/parse-ab.ts [rounds] [change] [kinds]`.
// change: `splitter` (relay/splitter-body.ts: body lines in runs; off = the splitter's own
// line-by-line reading), `qp` (relay/qp-bytes.ts: quoted-printable decoded over bytes; off =
// libqp's own Decoder). kinds (comma-separated, all by default): text (peer-bench's 1 MiB of
// 79-character lines), alternative (the same text as plain and HTML, 512 KiB each),
// attachment (a short text and a 1 MiB JPEG in base64), qp (1 MiB of UTF-8 text in
// quoted-printable), base64 (the 1 MiB text in base64), small (10 KiB of text). Per kind: median
// process CPU (ms, every thread) and minor page faults per parse, on and off.
import { parseMail } from '../src/relay/parse.js';
import { withLibqp } from '../src/relay/qp-bytes.js';
import { withOwnSplitting } from '../src/relay/splitter-body.js';
import { quantile, seededRandom } from './numbers.js';

const MiB = 1024 * 1024;
const rounds = Number(process.argv[2] ?? 30);
const change = process.argv[3] ?? 'splitter';
const only = process.argv[4]?.split(',');
const head = 'From: Jane Doe <jane@buyer.example>\r\nTo: x@relay.test\r\nSubject: bench\r\nMessage-ID: <b@buyer.example>\r\nMIME-Version: 1.0\r\n';
const line = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789\r\n';
const text = (n: number) => line.repeat(Math.ceil(n / line.length)).slice(0, n);
const random = seededRandom(8);
const bytes = Buffer.alloc((MiB * 3) / 4);
for (let i = 0; i < bytes.length; i++) bytes[i] = random(256);
const wrap = (b64: string) => b64.replace(/.{76}/g, '$&\r\n');
const qp = (s: string) =>
  Buffer.from(s, 'utf8')
    .toString('latin1')
    .replace(/[=\x80-\xff]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/[^\r\n]{73}(?=[^\r\n]{3})/g, '$&=\r\n');
const umlauts = 'Grüße aus München, straße und flüsse: die Bücher über Äpfel 0123456789\r\n';

const kinds: Record<string, Buffer> = {
  text: Buffer.from(`${head}Content-Type: text/plain; charset=us-ascii\r\n\r\n${text(MiB)}`, 'latin1'),
  alternative: Buffer.from(
    `${head}Content-Type: multipart/alternative; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n${text(MiB / 2)}\r\n` +
      `--b1\r\nContent-Type: text/html\r\n\r\n<p>${text(MiB / 2)}</p>\r\n--b1--\r\n`,
    'latin1',
  ),
  attachment: Buffer.from(
    `${head}Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n` +
      `--b1\r\nContent-Type: application/octet-stream; name=x.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n${wrap(bytes.toString('base64'))}\r\n--b1--\r\n`,
    'latin1',
  ),
  qp: Buffer.from(
    `${head}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qp(umlauts.repeat(MiB / umlauts.length))}`,
    'latin1',
  ),
  base64: Buffer.from(
    `${head}Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: base64\r\n\r\n${wrap(Buffer.from(text(MiB)).toString('base64'))}`,
    'latin1',
  ),
  small: Buffer.from(`${head}Content-Type: text/plain; charset=us-ascii\r\n\r\n${text(10 * 1024)}`, 'latin1'),
};

const toggles: Record<string, <T>(fn: () => Promise<T>) => Promise<T>> = {
  splitter: withOwnSplitting,
  qp: withLibqp,
};
const off = toggles[change];
if (!off) throw new Error(`no change ${change}: ${Object.keys(toggles).join(', ')}`);

async function once(raw: Buffer, on: boolean): Promise<{ cpu: number; faults: number }> {
  const faults = process.resourceUsage().minorPageFault;
  const cpu = process.cpuUsage();
  const parse = () => parseMail(raw, 60_000);
  const mail = on ? await parse() : await (off as typeof withOwnSplitting)(parse);
  const spent = process.cpuUsage(cpu);
  if (mail.text === null && mail.attachments.length === 0) throw new Error('nothing parsed');
  return { cpu: (spent.user + spent.system) / 1000, faults: process.resourceUsage().minorPageFault - faults };
}

console.log(`change: ${change}, ${rounds} rounds, median per parse (process CPU, every thread)`);
console.log('kind           size    on ms  off ms   on faults  off faults');
for (const [kind, raw] of Object.entries(kinds)) {
  if (only && !only.includes(kind)) continue;
  const on: { cpu: number; faults: number }[] = [];
  const offs: typeof on = [];
  for (let r = 0; r < rounds + 5; r++) {
    // alternate which goes first
    const first = r % 2 === 0;
    const a = await once(raw, first);
    const b = await once(raw, !first);
    if (r < 5) continue;
    (first ? on : offs).push(a);
    (first ? offs : on).push(b);
  }
  const med = (xs: typeof on, f: (x: (typeof on)[number]) => number) => quantile(xs.map(f), 0.5);
  console.log(
    `${kind.padEnd(12)} ${(raw.length / MiB).toFixed(2).padStart(6)} ${med(on, (x) => x.cpu)
      .toFixed(2)
      .padStart(8)} ${med(offs, (x) => x.cpu)
      .toFixed(2)
      .padStart(7)} ${String(med(on, (x) => x.faults)).padStart(11)} ${String(med(offs, (x) => x.faults)).padStart(11)}`,
  );
}
