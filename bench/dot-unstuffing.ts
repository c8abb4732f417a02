// The SMTP thread's CPU for reading one message's DATA through smtp-server's SMTPStream, with
// smtp-server's own dot-unstuffing and with smtp/dot-unstuffing.ts's, rounds interleaved in one
// process: `npx tsx bench/dot-unstuffing.ts [bytes=1048576] [rounds=200]` (CHUNK=bytes per socket
// read, 65536 by default; DOTS=1 puts an escaped dot line every 100 lines). The message is peer-bench's
// (79-character lines, bench/text-message.ts), its pieces are collected as the spool collects them.
// Prints the median CPU ms per message of each (the process's: this thread and V8's helpers; the
// scheduler's count per thread, bench/text-message.ts mainThreadMs, moves only in whole ticks here).
import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import { originalFeed, replaced } from '../src/smtp/dot-unstuffing.js';
import { textMessage } from './text-message.js';

if (!replaced || !originalFeed) throw new Error('smtp-server moved: the replacement is not in place');
const bytes = Number(process.argv[2] ?? 1048576);
const rounds = Number(process.argv[3] ?? 200);
const chunkBytes = Number(process.env.CHUNK ?? 65536);
let { raw } = textMessage(bytes);
if (process.env.DOTS === '1') raw = Buffer.from(raw.toString('latin1').replace(/((?:[^\n]*\n){100})/g, '$1..escaped\r\n'), 'latin1');
const wire = Buffer.concat([Buffer.from('DATA\r\n'), raw, Buffer.from('\r\n.\r\nQUIT\r\n')]);

/** One session's DATA through a fresh SMTPStream, the socket's reads as fresh buffers; resolves with the bytes collected. */
async function once(feed: 'original' | 'replaced'): Promise<number> {
  const stream = new SMTPStream();
  if (feed === 'original') (stream as unknown as { _feedDataStream: unknown })._feedDataStream = originalFeed;
  let got = 0;
  const ended = new Promise<void>((resolve) => {
    stream.oncommand = (command: Buffer, callback?: () => void) => {
      if (command.toString() === 'DATA') {
        const data = stream.startDataMode(Infinity);
        const chunks: Buffer[] = [];
        data.on('data', (piece: Buffer) => {
          chunks.push(piece);
          got += piece.length;
        });
        data.on('end', () => {
          stream.continue();
          resolve();
        });
      }
      callback?.();
    };
  });
  for (let at = 0; at < wire.length; at += chunkBytes) {
    // A socket read is a buffer of its own.
    const read = Buffer.allocUnsafeSlow(Math.min(chunkBytes, wire.length - at));
    wire.copy(read, 0, at);
    await new Promise<void>((resolve) => stream.write(read, () => resolve()));
  }
  await ended;
  return got;
}

const times: Record<'original' | 'replaced', number[]> = { original: [], replaced: [] };
for (let i = 0; i < 20; i++) {
  await once('original');
  await once('replaced');
}
const sizes = new Set([await once('original'), await once('replaced')]);
if (sizes.size !== 1) throw new Error(`the two read different byte counts: ${[...sizes].join(', ')}`);
for (let r = 0; r < rounds; r++) {
  for (const feed of r % 2 ? (['original', 'replaced'] as const) : (['replaced', 'original'] as const)) {
    const t = process.cpuUsage();
    await once(feed);
    const d = process.cpuUsage(t);
    times[feed].push((d.user + d.system) / 1000);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
console.log(
  `${bytes} bytes in ${chunkBytes}-byte reads${process.env.DOTS === '1' ? ', escaped dots' : ''}: smtp-server ${median(times.original).toFixed(3)} ms, replaced ${median(times.replaced).toFixed(3)} ms CPU/msg (median of ${rounds})`,
);
