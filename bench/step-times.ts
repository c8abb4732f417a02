// Times each CPU-bound step of the relay on one message in-process (parse, rewrite, compose, line
// ends), so a profile's big items can be checked one at a time: `npx tsx bench/step-times.ts [bytes]`.
// Each round also prints the process's CPU time per MiB of body (cost flat in size: compare 1 MiB
// with 25 MB, `npx tsx bench/step-times.ts 26214400`).
import { parseMail } from '../src/relay/parse.js';
import { rewrite } from '../src/core/rewrite.js';
import { composeMail } from '../src/relay/compose.js';
import { toCrlf } from '../src/relay/line-ends.js';
import { buyerToStoreContext } from '../test/helpers/rewrite-context.js';

const bytes = Number(process.argv[2] ?? 1024 * 1024);
const line = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789\r\n';
const body = line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
const raw = Buffer.from(
  `From: Jane Doe <jane@buyer.example>\r\nTo: x@relay.test\r\nSubject: bench\r\nMessage-ID: <b@buyer.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n${body}`,
  'latin1',
);
const ctx = buyerToStoreContext();
const t = (): number => performance.now();
/** CPU time (user + system, all threads) since `from`, in ms: wall time on a shared machine says little. */
const spent = (from: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};
for (let round = 0; round < Number(process.env.ROUNDS ?? 5); round++) {
  const cpu = process.cpuUsage();
  const a = t();
  const mail = await parseMail(raw, 20_000);
  const b = t();
  const { message } = await rewrite(mail, ctx as never);
  const c = t();
  const composed = await composeMail(message);
  const d = t();
  toCrlf(composed);
  const e = t();
  console.log(
    `parse ${(b - a).toFixed(1)} ms  rewrite ${(c - b).toFixed(1)} ms  compose ${(d - c).toFixed(1)} ms  crlf ${(e - d).toFixed(1)} ms  (${composed.length} bytes)  CPU ${(spent(cpu) / (bytes / 1048576)).toFixed(0)} ms/MiB`,
  );
}
