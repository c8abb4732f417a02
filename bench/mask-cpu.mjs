// CPU cost of the rewrite step's masking and filters alone, per MiB of body, on ordinary and
// hostile inputs, on the built gateway: `npm run build && node bench/mask-cpu.mjs [rounds] [filter]`.
// Each input is rewritten (rewrite() on a hand-built ParsedMail, so no parsing is timed) warm,
// `rounds` times; prints the median process CPU time (user + system, ms) and wall time per MiB.
// `MASK_ROOTS=/base/dist,/work/dist` times several builds in one process, round by round in turn,
// so each meets the same load (before/after figures);
// `BENCH_BARE=1`: no banned words, no full names, no allow-list (as bench/step-times.ts).
// CPU time, not wall time, is the figure to compare on a shared machine.
/* global process, console, performance, URL */
const roots = (process.env.MASK_ROOTS ?? new URL('../dist', import.meta.url).pathname).split(',');
const rewrites = [];
for (const root of roots) rewrites.push((await import(`${root}/src/core/rewrite.js`)).rewrite);

const MiB = 1024 * 1024;
const rounds = Number(process.argv[2] ?? 9);
const only = process.argv[3];
const bare = process.env.BENCH_BARE === '1';
const warm = Number(process.env.WARM ?? 10);

const fill = (line, bytes = MiB) => {
  const parts = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const l = line(i);
    parts.push(l);
    n += l.length;
  }
  return parts.join('').slice(0, bytes);
};
const words = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789';
const prose = 'Grüße aus München: Straße, Café crème, déjà vu — naïve Zoë prüft die Bestellung Nr. 4711 für Sie.';
const cjk = '東京の店舗から注文番号四七一一を発送しました。ご確認ください。배송이 시작되었습니다。谢谢您的订单！';
const inputs = {
  'ascii text': { text: fill((i) => (i % 50 === 7 ? 'Please write to jane@buyer.example or see https://shop.example/help - Jane Doe\r\n' : `${words}\r\n`)) },
  html: {
    html: `<html><body>${fill((i) =>
      i % 50 === 7
        ? '<p>Write to <a href="mailto:jane@buyer.example">Jane Doe</a> or see <a href="https://shop.example/help">help</a>.</p>\r\n'
        : `<p>${words.replace('brown', '<b>brown</b>').replace('dog', '<i>dog</i> &amp; cat')}</p>\r\n`,
    )}</body></html>`,
  },
  'utf-8 prose': { text: fill((i) => (i % 40 === 3 ? `Schreiben Sie an jürgen@straße.example — Jane Doe\r\n` : `${prose}\r\n`)) },
  cjk: { text: fill((i) => (i % 40 === 3 ? `連絡先 jane@buyer.example\r\n` : `${cjk}\r\n`)) },
  '10 MB one line': { text: fill(() => `${words} `, 10 * MiB) },
  '100 000 short lines': { text: fill((i) => (i % 3 ? 'ok\r\n' : 'a b\r\n'), 100_000 * 4) },
  'MiB of @': { text: '@'.repeat(MiB) },
  'MiB of &amp;': { text: '&amp;'.repeat(MiB / 5) },
  'MiB of %40': { text: '%40'.repeat(Math.floor(MiB / 3)) },
  'MiB of <': { text: '<'.repeat(MiB) },
  'html MiB of <': { html: '<'.repeat(MiB) },
  'html MiB of &amp;': { html: '&amp;'.repeat(MiB / 5) },
};
const ctx = {
  direction: 'buyer_to_store',
  aliasAddress: 'tok@relay.test',
  store: { id: 1, slug: 'acme', name: 'Acme', mailbox: 'support@acme.example' },
  buyer: { name: 'Jane Doe', email: 'jane@buyer.example' },
  hide: { addresses: ['jane@buyer.example'], names: ['Jane Doe'], ...(bare ? {} : { fullNames: ['Jane Doe'] }) },
  messageId: '<m@relay.test>',
  threading: { inReplyTo: null, references: [], dropped: 0 },
  now: new Date(),
  content: {
    linkAllowList: bare ? [] : ['shop.example'],
    linkAction: 'redact',
    stripImages: false,
    maxAttachmentBytes: 10_000_000,
    keepEmailDomains: ['relay.test'],
    bannedWords: bare ? [] : ['whatsapp', 'telegram', 'pay outside'],
  },
};
for (const [name, body] of Object.entries(inputs)) {
  if (only && !name.includes(only)) continue;
  const mail = {
    from: { name: 'Jane Doe', address: 'jane@buyer.example' },
    subject: 'bench',
    messageId: '<b@buyer.example>',
    inReplyTo: [],
    references: [],
    text: body.text ?? null,
    html: body.html ?? null,
    attachments: [],
    headers: [],
  };
  const size = (body.text ?? body.html ?? '').length / MiB;
  const times = roots.map(() => []);
  const walls = roots.map(() => []);
  for (let r = 0; r < rounds + warm; r++) {
    for (const [k, rewrite] of rewrites.entries()) {
      const cpu = process.cpuUsage();
      const t = performance.now();
      await rewrite(mail, ctx);
      const wall = performance.now() - t;
      const d = process.cpuUsage(cpu);
      if (r < warm) continue;
      times[k].push((d.user + d.system) / 1000 / size);
      walls[k].push(wall / size);
    }
  }
  const med = (x) => {
    const sorted = x.sort((a, b) => a - b);
    return sorted[sorted.length >> 1].toFixed(1).padStart(7);
  };
  console.log(`${name.padEnd(20)} ${roots.map((_, k) => `CPU ${med(times[k])} wall ${med(walls[k])}`).join('   |  ')}  ms/MiB`);
}
