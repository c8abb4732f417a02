// What reading an Office package costs in memory. `npx tsx bench/document-memory.ts MB` builds a
// .docx whose word/document.xml unpacks to MB megabytes of ordinary paragraphs (a few hundred KB
// zipped), cleans it as the gateway does (cleanOoxml) and prints the time and the peak RSS over the
// start (sampled every 5 ms). Round 13: 8 MB +61 MB, 24 MB +141, 50 MB +282, 95 MB +487 (~5–6× the
// XML), hence MAX_XML_TEXT.
// `npx tsx bench/document-memory.ts MB binary` builds one whose binary part (a printer's settings)
// unpacks to MB megabytes of zeros with the writer's address at its end, and runs the gateway's
// whole handler for it (PART_HANDLERS.ooxml: cleanOoxml and the search of that part for the writer).
// Round 14, 99 MB (3 runs each, alternating, load 7–9): +397–400 MB, CPU 1412–1486 ms, with two
// whole readings (Latin-1 and UTF-16LE) and their lowercase copies; +165–185 MB, CPU 1523–1641 ms,
// searched in 1 MiB pieces (binary-readings.ts). What is left is the part itself and fflate's
// buffer for the package zipped again (zipSync allocates about the input's size).
import { strToU8, zipSync } from 'fflate';
import { cleanOoxml } from '../src/core/masking/document-metadata.js';
import { PART_HANDLERS, type PartEnv } from '../src/core/masking/part-handlers.js';

const mb = Number(process.argv[2] ?? 8);
const binary = process.argv[3] === 'binary';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const para = '<w:p><w:r><w:t>Kettle order A-1001 shipped today, thanks for your patience.</w:t></w:r></w:p>';
const body = binary ? para : para.repeat(Math.ceil((mb * 1024 * 1024) / para.length));
const files: Record<string, Uint8Array> = {
  '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types/>'),
  'word/document.xml': strToU8(`<?xml version="1.0"?><w:document><w:body>${body}</w:body></w:document>`),
};
if (binary) {
  const part = new Uint8Array(mb * 1024 * 1024);
  part.set(strToU8('jane@buyer.example'), part.length - 100);
  files['word/printerSettings/printerSettings1.bin'] = part;
}
const doc = zipSync(files, { level: 9 });
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
const rss0 = process.memoryUsage().rss;
let peak = rss0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let outcome = 'kept';
try {
  if (binary) {
    const r = await PART_HANDLERS.ooxml({ filename: 'a.docx', contentType: DOCX, content: doc } as never, env, 'a.docx');
    if ('removed' in r) outcome = `removed: ${r.removed}`;
  } else cleanOoxml(doc, DOCX);
} catch (err) {
  outcome = `removed: ${(err as Error).message}`;
}
peak = Math.max(peak, process.memoryUsage().rss);
clearInterval(sampler);
const cpu = process.cpuUsage(cpu0);
console.log(
  `${mb} MB of ${binary ? 'binary part' : 'XML'} (${(doc.length / 1024).toFixed(0)} KB zipped): ${(performance.now() - t0).toFixed(0)} ms (CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms), RSS +${((peak - rss0) / 1048576).toFixed(0)} MB, ${outcome}`,
);
