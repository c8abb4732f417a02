// CPU a pool thread spends turning one rewritten message into the signed bytes it hands back,
// the way before round 8 (compose into a new Buffer, sign into another, copy that into shared
// memory) against the way now (relay/work.ts composeInPlace: compose into the buffer handed back,
// sign there; here an ArrayBuffer of its own: in one thread a SharedArrayBuffer is counted by no
// heap, so nothing would collect it and the loop would measure fresh memory alone): `npx tsx bench/prepare-bytes.ts [messages] [kind] [way]` (kinds: text,
// attachment, small; ways: before, now; both ways, alternating, by default). Each way runs in a
// child process of its own, so one way's freed memory is not the other's reused memory; every
// message's bytes are kept until 8 later ones were made (the SMTP thread holding them), and garbage
// collection runs as it comes. Prints per message: process CPU (user + system, all threads: V8's
// GC helpers included), minor page faults (fresh memory touched), and the peak RSS.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutgoingMail } from '../src/core/types.js';
import { composeMail } from '../src/relay/compose.js';
import { ensureDkimKey } from '../src/outbound/dkim.js';
import { dkimSignMessage, signSetup } from '../src/outbound/dkim-sign.js';
import { composeInPlace } from '../src/relay/work.js';
import { outgoingMail } from '../test/helpers/outgoing-mail.js';

const MiB = 1024 * 1024;
const messages = Number(process.argv[2] ?? 200);
const kind = process.argv[3] ?? 'text';
const way = process.argv[4];

const line = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789\n';
function mail(k: string): OutgoingMail {
  const base = outgoingMail();
  if (k === 'text') return { ...base, text: line.repeat(Math.ceil(MiB / line.length)) };
  if (k === 'small') return { ...base, text: line.repeat(Math.ceil((10 * 1024) / line.length)) };
  return {
    ...base,
    text: 'see attached\n',
    attachments: [{ filename: 'x.jpg', contentType: 'image/jpeg', content: randomBytes((MiB * 3) / 4), disposition: 'attachment' } as never],
  };
}

if (!way) {
  const self = fileURLToPath(import.meta.url);
  const rows: Record<string, string[]> = { before: [], now: [] };
  for (let i = 0; i < 3; i++)
    for (const w of ['before', 'now'])
      rows[w]?.push(execFileSync(process.execPath, [...process.execArgv, self, String(messages), kind, w], { encoding: 'utf8' }).trim());
  for (const [w, r] of Object.entries(rows)) console.log(`${kind} ${w.padEnd(6)} ${r.join(' | ')}`);
} else {
  const keyDir = mkdtempSync(join(tmpdir(), 'mg-bench-dkim-'));
  const dkim = signSetup(ensureDkimKey(keyDir, 'relay.test', 'sel'));
  const m = mail(kind);
  const once =
    way === 'before'
      ? async () => {
          const signed = await dkimSignMessage(await composeMail(m), dkim);
          const out = Buffer.from(new SharedArrayBuffer(signed.length));
          signed.copy(out);
          return out;
        }
      : () => composeInPlace(m, dkim, (size) => Buffer.allocUnsafeSlow(size));
  const held: Uint8Array[] = [];
  for (let i = 0; i < 20; i++) held.push(await once());
  held.length = 0;
  const cpu = process.cpuUsage();
  const faults = process.resourceUsage().minorPageFault;
  for (let i = 0; i < messages; i++) {
    held.push(await once());
    if (held.length > 8) held.shift();
  }
  const spent = process.cpuUsage(cpu);
  const faulted = process.resourceUsage().minorPageFault - faults;
  rmSync(keyDir, { recursive: true, force: true });
  console.log(
    `${((spent.user + spent.system) / 1000 / messages).toFixed(2)} ms ${(faulted / messages).toFixed(0)} faults ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
}
