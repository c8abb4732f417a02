// The writer's address search (body-scrub.ts maskText) and the address search (text-filters.ts
// redactEmails) on a MiB of hostile units around `@`: comments, quotes and brackets, which the
// blank around an `@` or a dot reads past within 384 characters (fold-blanks.ts blankBack/blankAfter).
// `npx tsx bench/wrapped-address-cpu.ts [rounds]`: the median process CPU time per MiB of each.
import { maskText } from '../src/core/body-scrub.js';
import { redactEmails } from '../src/core/filters/text-filters.js';

const rounds = Number(process.argv[2] ?? 5);
const hide = { addresses: ['anna.weber@buyer.example', 'support@acme-real.example'], names: [] };
const repl = { address: 'abcdefghijklmnopqrst@relay.localhost', name: 'Acme Store' };
const units = [
  'plain text here, nothing to see. ',
  '(x)@',
  '((((@',
  '))))@',
  '"<[@]>"',
  '(@)',
  'anna.weber(x)@(',
  '"anna".',
  `${')'.repeat(60)}@`,
  `${'>'.repeat(300)}@`,
  `anna.weber${'(a)'.repeat(100)}@`,
  `@${'(a)'.repeat(100)}`,
  // Markdown's emphasis, read as marks around an address's parts.
  '*@*',
  '_._',
  '**anna.weber**@**',
  `anna.weber@${'*'.repeat(300)}`,
];

const cpuMs = (f: () => void): number => {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

for (const unit of units) {
  const text = unit.repeat(Math.ceil((1 << 20) / unit.length));
  const mask: number[] = [];
  const redact: number[] = [];
  for (let r = 0; r < rounds; r++) {
    mask.push(cpuMs(() => maskText(text, hide, repl)));
    redact.push(cpuMs(() => redactEmails(text, ['relay.localhost'])));
  }
  console.log(
    `${JSON.stringify(unit.slice(0, 24)).padEnd(28)} maskText ${median(mask).toFixed(0).padStart(4)} ms   redactEmails ${median(redact).toFixed(0).padStart(4)} ms`,
  );
}
