// What an OLE .doc costs the part reading: the content filter's look (seeAttachment: is Word's main
// stream there?) and masking's cleaning (PART_HANDLERS.ole) of the same bytes, as a pool thread does
// for one message (read, then prepare on the message it kept). `npx tsx bench/ole-reads.ts MB runs`
// builds a .doc whose Data stream (its pictures) is MB megabytes and prints, for `runs` rounds, the
// container readings (CFB.read calls) and their time, CPU and the peak RSS over the start (sampled every 5 ms).
// Round 15, 5 MB (5 runs each): before, 2 readings (2–69 ms of them), CPU 539–665 ms; after (the
// filter's container handed to cleanOle), 1 reading (1–20 ms), CPU 558–662 ms. The reading is a small
// share: the rest is the cleaning (the streams searched, the container written again). RSS too noisy.
import CFB from 'cfb';
import { seeAttachment } from '../src/core/filters/attachments.js';
import { PART_HANDLERS, type PartEnv } from '../src/core/masking/part-handlers.js';
import { word97 } from '../test/helpers/word97.js';

const mb = Number(process.argv[2] ?? 5);
const runs = Number(process.argv[3] ?? 5);
const base = CFB.read(word97([{ text: 'Kettle order A-1001 shipped today, thanks for your patience.\r' }]), { type: 'buffer' });
const data = new Uint8Array(mb * 1024 * 1024);
for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
CFB.utils.cfb_add(base, 'Data', Buffer.from(data));
const doc = new Uint8Array(CFB.write(base, { type: 'buffer' }) as Uint8Array);

let reads = 0;
let readMs = 0;
const read = CFB.read;
CFB.read = ((...args: Parameters<typeof read>) => {
  reads++;
  const t = performance.now();
  try {
    return read(...args);
  } finally {
    readMs += performance.now() - t;
  }
}) as typeof read;

const env = {
  text: (s: string) => s,
  html: (s: string) => s,
  namesWriter: () => false,
  holdsAddress: () => false,
  writerNeedles: ['jane@buyer.example', 'jane buyer'],
  isAlias: () => false,
  alias: { address: 'a@maskgate.example', name: '' },
  recipient: { address: 'b@example.com', name: '' },
  message: () => Promise.reject(new Error('no nested messages here')),
  note: () => undefined,
} as unknown as PartEnv;

for (let run = 0; run < runs; run++) {
  const part = { filename: 'order.doc', contentType: 'application/msword', content: doc };
  reads = 0;
  readMs = 0;
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const cpu0 = process.cpuUsage();
  const seen = seeAttachment(part);
  const r = await PART_HANDLERS.ole({ ...part, contentId: null, disposition: 'attachment' }, env, 'order.doc');
  const cpu = process.cpuUsage(cpu0);
  peak = Math.max(peak, process.memoryUsage().rss);
  clearInterval(sampler);
  console.log(
    `${(doc.length / 1048576).toFixed(1)} MB .doc: seen ${seen.type}, ${'removed' in r ? `removed: ${r.removed}` : 'kept'}; ${reads} container readings (${readMs.toFixed(0)} ms), CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, RSS +${((peak - rss0) / 1048576).toFixed(0)} MB`,
  );
}
