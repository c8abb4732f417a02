// CPU cost of each pass of the text masking on 1 MiB of ordinary ASCII text (79-character lines,
// an address, a link and the writer's name every 50 lines): the fold, the writer's needles, the
// address finder, the link finder, the banned words, applying the spans.
// `npx tsx bench/mask-steps.ts [rounds]`; `MASK_ROOT=/path/to/checkout` times another checkout.
const root = process.env.MASK_ROOT ?? '..';
const { fold } = (await import(`${root}/src/core/masking/fold.js`)) as typeof import('../src/core/masking/fold.js');
const { writerSpans } = (await import(`${root}/src/core/body-scrub.js`)) as typeof import('../src/core/body-scrub.js');
const { findAddressesIn } = (await import(`${root}/src/core/masking/address-finder.js`)) as typeof import('../src/core/masking/address-finder.js');
const { linkSpansIn } = (await import(`${root}/src/core/filters/text-filters.js`)) as typeof import('../src/core/filters/text-filters.js');
const { bannedSpans, compileBannedWords } = (await import(`${root}/src/core/filters/banned-words.js`)) as typeof import('../src/core/filters/banned-words.js');
const { applySpans } = (await import(`${root}/src/core/masking/spans.js`)) as typeof import('../src/core/masking/spans.js');

const MiB = 1024 * 1024;
const rounds = Number(process.argv[2] ?? 30);
const words = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789';
let src = '';
for (let i = 0; src.length < MiB; i++)
  src += i % 50 === 7 ? 'Please write to jane@buyer.example or see https://shop.example/help - Jane Doe\r\n' : `${words}\r\n`;
src = src.slice(0, MiB).split('\n').join('\n');
const hide = { addresses: ['jane@buyer.example'], names: ['Jane Doe'], fullNames: ['Jane Doe'] };
const repl = { address: 'tok@relay.test', name: 'Acme' };
const banned = compileBannedWords(['whatsapp', 'telegram', 'pay outside']);
const f = fold(src);
const spans = writerSpans(src, f, hide, repl, false);
const cpu = (name: string, fn: () => unknown) => {
  for (let i = 0; i < 30; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const c = process.cpuUsage();
    fn();
    const d = process.cpuUsage(c);
    t.push((d.user + d.system) / 1000);
  }
  t.sort((a, b) => a - b);
  console.log(`${name.padEnd(16)} ${(t[rounds >> 1] as number).toFixed(2).padStart(6)} ms  (min ${(t[0] as number).toFixed(2)})`);
};
cpu('fold', () => fold(src));
cpu('fold plain', () => fold(src, false, true));
cpu('writerSpans', () => writerSpans(src, f, hide, repl, false));
cpu('findAddressesIn', () => findAddressesIn(f));
cpu('linkSpansIn', () => linkSpansIn(src, f, false));
cpu('bannedSpans', () => bannedSpans(f, banned));
cpu('applySpans', () => applySpans(src, [...spans], false));
