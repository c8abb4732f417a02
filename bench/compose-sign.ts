// Times the two last pool-thread steps of the relay, compose and DKIM sign, on one rewritten text
// message of each kind, in-process, warm, many rounds: `npx tsx bench/compose-sign.ts [rounds]`
// (`CANON=relaxed/relaxed npx tsx bench/compose-sign.ts` signs with the canonicalisation of before).
// Prints, per kind, the composed size (bytes and as a multiple of the text's UTF-8 bytes), the
// Content-Transfer-Encoding chosen and the CPU time (user + system, ms per message, median of the
// rounds) of compose and of sign. CPU time, not wall time: the machine is shared.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutgoingMail } from '../src/core/types.js';
import { composeMail } from '../src/relay/compose.js';
import { ensureDkimKey } from '../src/outbound/dkim.js';
import { dkimSignMessage, signSetup } from '../src/outbound/dkim-sign.js';
import { quantile } from './numbers.js';
import { outgoingMail } from '../test/helpers/outgoing-mail.js';

const MiB = 1024 * 1024;
const rounds = Number(process.argv[2] ?? 30);

/** Whole lines of `line` (with LF line ends, as the parser hands text on), `chars` characters or a few more. */
function filled(line: string, chars: number): string {
  return `${line}\n`.repeat(Math.ceil(chars / (line.length + 1)));
}

// peer-bench's smtp-source text: 79-character ASCII lines.
const ascii = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789 ok';
// French prose: a few accented letters a line (2 UTF-8 bytes each, ~3 % of the characters).
const prose = 'Nous avons bien reçu votre commande et elle sera expédiée dès que possible, merci à vous';
// Japanese: every character 3 UTF-8 bytes.
const cjk = '吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。';

const kinds: [string, string][] = [
  ['1 MiB ASCII', filled(ascii, MiB)],
  ['1 MiB UTF-8 prose', filled(prose, MiB)],
  ['1 MiB CJK', filled(cjk, MiB / 3)],
  ['10 KiB ASCII', filled(ascii, 10 * 1024)],
];

function mail(text: string): OutgoingMail {
  return outgoingMail({ subject: 'bench', messageId: '<m@relay.test>', text });
}

const keyDir = mkdtempSync(join(tmpdir(), 'mg-bench-dkim-'));
// CANON=relaxed/relaxed signs as before round 6, for a before/after on the same composed bytes.
const setup = {
  ...signSetup(ensureDkimKey(keyDir, 'relay.test', 'sel')),
  ...(process.env.CANON ? { canonicalization: process.env.CANON as 'relaxed/simple' } : {}),
};
const cpuMs = (from: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};

console.log(`${setup.canonicalization}, ${rounds} rounds (kinds interleaved), CPU ms per message: median (25th percentile)`);
const stats = kinds.map(([name, text]) => ({
  name,
  m: mail(text),
  bytes: Buffer.byteLength(text),
  compose: [] as number[],
  sign: [] as number[],
  composed: Buffer.alloc(0) as Buffer,
}));
for (let r = 0; r < rounds + 3; r++) {
  for (const k of stats) {
    const a = process.cpuUsage();
    const composed = await composeMail(k.m);
    const composeMs = cpuMs(a);
    const b = process.cpuUsage();
    await dkimSignMessage(composed, setup);
    const signMs = cpuMs(b);
    k.composed = composed;
    if (r < 3) continue; // warm-up
    k.compose.push(composeMs);
    k.sign.push(signMs);
  }
}
const fmt = (xs: number[]): string => `${quantile(xs, 0.5).toFixed(1)} (${quantile(xs, 0.25).toFixed(1)}) ms`;
for (const k of stats) {
  const cte = /Content-Transfer-Encoding: ([\w-]+)/i.exec(k.composed.toString('latin1', 0, 2000))?.[1];
  console.log(
    `${k.name.padEnd(18)} ${String(k.composed.length).padStart(8)} bytes (${(k.composed.length / k.bytes).toFixed(2)}x, ${cte})  compose ${fmt(k.compose)}  sign ${fmt(k.sign)}`,
  );
}
rmSync(keyDir, { recursive: true, force: true });
