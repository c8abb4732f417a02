// The fold alone (masking/fold.ts) against the character-at-a-time reference it replaced
// (test/helpers/fold-reference.ts), interleaved in one process so both meet the same load:
// `npx tsx bench/fold-cpu.ts [rounds]`. Prints the median process CPU time per MiB of each input.
import { fold } from '../src/core/masking/fold.js';
import { fold as referenceFold } from '../test/helpers/fold-reference.js';

const MiB = 1024 * 1024;
const rounds = Number(process.argv[2] ?? 15);
const words = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789';
const fill = (line: (i: number) => string, bytes = MiB): string => {
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const l = line(i);
    parts.push(l);
    n += l.length;
  }
  return parts.join('').slice(0, bytes);
};
const prose = 'Grüße aus München: Straße, Café crème, déjà vu — naïve Zoë prüft die Bestellung Nr. 4711 für Sie.';
const cjk = '東京の店舗から注文番号四七一一を発送しました。ご確認ください。배송이 시작되었습니다。谢谢您的订单！';
const inputs: [string, string, boolean][] = [
  ['ascii text', fill((i) => (i % 50 === 7 ? 'Please write to jane@buyer.example or see https://shop.example/help - Jane Doe\r\n' : `${words}\r\n`)), false],
  [
    'html',
    fill(
      (i) =>
        `<p>${words.replace('brown', '<b>brown</b>').replace('dog', '<i>dog</i> &amp; cat')}${i % 50 === 7 ? ' <a href="mailto:jane@buyer.example">Jane</a>' : ''}</p>\r\n`,
    ),
    true,
  ],
  ['utf-8 prose', fill(() => `${prose}\r\n`), false],
  ['cjk', fill(() => `${cjk}\r\n`), false],
  ['one line', fill(() => `${words} `), false],
  ['short lines', fill((i) => (i % 3 ? 'ok\r\n' : 'a b\r\n')), false],
  ['@', '@'.repeat(MiB), false],
  ['&amp;', '&amp;'.repeat(MiB / 5), false],
  ['%40', '%40'.repeat(MiB / 3), false],
  ['< (html)', '<'.repeat(MiB), true],
];
const cpu = (fn: () => unknown): number => {
  const c = process.cpuUsage();
  fn();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
};
const median = (t: number[]) => (t.sort((a, b) => a - b)[t.length >> 1] as number).toFixed(1).padStart(7);
for (const [name, src, html] of inputs) {
  const size = src.length / MiB;
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds + 2; r++) {
    const x = cpu(() => referenceFold(src, html)) / size;
    const y = cpu(() => fold(src, html)) / size;
    if (r < 2) continue;
    a.push(x);
    b.push(y);
  }
  console.log(`${name.padEnd(12)} reference ${median(a)} ms/MiB   fold ${median(b)} ms/MiB`);
}
