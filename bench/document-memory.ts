// What reading an Office package costs in memory, by the size of its XML: `npx tsx
// bench/document-memory.ts MB` builds a .docx whose word/document.xml unpacks to MB megabytes of
// ordinary paragraphs (a few hundred KB zipped), cleans it as the gateway does (cleanOoxml) and
// prints the time and the peak RSS over the start (sampled every 5 ms). Round 13: 8 MB +61 MB,
// 24 MB +141, 50 MB +282, 95 MB +487 (~5–6× the XML), hence MAX_XML_TEXT.
import { strToU8, zipSync } from 'fflate';
import { cleanOoxml } from '../src/core/masking/document-metadata.js';

const mb = Number(process.argv[2] ?? 8);
const para = '<w:p><w:r><w:t>Kettle order A-1001 shipped today, thanks for your patience.</w:t></w:r></w:p>';
const body = para.repeat(Math.ceil((mb * 1024 * 1024) / para.length));
const doc = zipSync(
  {
    '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types/>'),
    'word/document.xml': strToU8(`<?xml version="1.0"?><w:document><w:body>${body}</w:body></w:document>`),
  },
  { level: 9 },
);
const rss0 = process.memoryUsage().rss;
let peak = rss0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
const t0 = performance.now();
let outcome = 'kept';
try {
  cleanOoxml(doc, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
} catch (err) {
  outcome = `removed: ${(err as Error).message}`;
}
peak = Math.max(peak, process.memoryUsage().rss);
clearInterval(sampler);
console.log(
  `${mb} MB of XML (${(doc.length / 1024).toFixed(0)} KB zipped): ${(performance.now() - t0).toFixed(0)} ms, RSS +${((peak - rss0) / 1048576).toFixed(0)} MB, ${outcome}`,
);
