// Times rewrite() alone on a 1 MiB text/plain and a 1 MiB text/html message (parsed once, outside
// the timing), buyer → store with content rules, banned words and the writer's name to find:
// `npx tsx bench/rewrite-times.ts [bytes] [rounds]`. Prints the median and the range per kind.
// `REWRITE_ROOT=/path/to/checkout` times another checkout's src (for before/after figures);
// `BENCH_BARE=1`: no banned words, no full name, no allow-list (as bench/step-times.ts).
const root = process.env.REWRITE_ROOT ?? '..';
const { parseMail } = (await import(`${root}/src/relay/parse.js`)) as typeof import('../src/relay/parse.js');
const { rewrite } = (await import(`${root}/src/core/rewrite.js`)) as typeof import('../src/core/rewrite.js');

const bytes = Number(process.argv[2] ?? 1024 * 1024);
const rounds = Number(process.argv[3] ?? 11);
const words = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789; order 4711 ships Monday.';
const textLine = (i: number) => (i % 50 === 7 ? 'Please write to jane@buyer.example or see https://shop.example/help — Jane Doe\r\n' : `${words}\r\n`);
const htmlLine = (i: number) =>
  i % 50 === 7
    ? '<p>Write to <a href="mailto:jane@buyer.example">Jane Doe</a> or see <a href="https://shop.example/help">help</a>.</p>\r\n'
    : `<p>${words.replace('brown', '<b>brown</b>').replace('dog', '<i>dog</i> &amp; cat')}</p>\r\n`;
function body(line: (i: number) => string): string {
  let s = '';
  for (let i = 0; s.length < bytes; i++) s += line(i);
  return s.slice(0, bytes);
}
const head = 'From: Jane Doe <jane@buyer.example>\r\nTo: x@relay.test\r\nSubject: bench\r\nMessage-ID: <b@buyer.example>\r\nMIME-Version: 1.0\r\n';
const kinds = {
  'text/plain': `${head}Content-Type: text/plain; charset=utf-8\r\n\r\n${body(textLine)}`,
  'text/html': `${head}Content-Type: text/html; charset=utf-8\r\n\r\n<html><body>${body(htmlLine)}</body></html>`,
};
const bare = process.env.BENCH_BARE === '1';
const ctx = {
  direction: 'buyer_to_store' as const,
  aliasAddress: 'tok@relay.test',
  store: { id: 1, slug: 'acme', name: 'Acme', mailbox: 'support@acme.example' },
  buyer: { name: 'Jane Doe', email: 'jane@buyer.example' },
  hide: { addresses: ['jane@buyer.example'], names: ['Jane Doe'], ...(bare ? {} : { fullNames: ['Jane Doe'] }) },
  messageId: '<m@relay.test>',
  threading: { inReplyTo: null, references: [], dropped: 0 },
  now: new Date(),
  content: {
    linkAllowList: bare ? [] : ['shop.example'],
    linkAction: 'redact' as const,
    stripImages: false,
    maxAttachmentBytes: 10_000_000,
    keepEmailDomains: ['relay.test'],
    bannedWords: bare ? [] : ['whatsapp', 'telegram', 'pay outside'],
  },
};
for (const [kind, raw] of Object.entries(kinds)) {
  const mail = await parseMail(Buffer.from(raw, 'utf8'), 20_000);
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = performance.now();
    await rewrite(mail, ctx as never);
    times.push(performance.now() - a);
  }
  times.sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)] as number;
  console.log(
    `${kind}: median ${med.toFixed(1)} ms (min ${(times[0] as number).toFixed(1)}, max ${(times.at(-1) as number).toFixed(1)}) over ${rounds} rounds`,
  );
}
