// The gateway hands malloc's free memory back after large messages through koffi's binding of
// glibc's malloc_trim (relay/malloc-trim.ts). Where koffi cannot be loaded (its prebuilt binary
// missing: test/helpers/no-koffi.cjs hides it from the gateway and its pool threads) the gateway
// says so once at start and relays large messages as before.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seedChildPair, startChildGateway } from '../helpers/child-gateway.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

const children: ChildProcess[] = [];
const dirs: string[] = [];
let sink: Sink | null = null;
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await sink?.close();
  sink = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const onGlibc =
  process.platform === 'linux' && typeof (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime === 'string';

async function relayLarge(nodeArgs: readonly string[]): Promise<{ mallocTrim: unknown; code: number; delivered: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'maskgate-trim-'));
  dirs.push(dataDir);
  sink = await startSink();
  const child = await startChildGateway({
    token: 'trim-test-token-0123456789abcdef0',
    env: { MASKGATE_DATA_DIR: dataDir, MASKGATE_SMTP_PORT: '0', MASKGATE_HTTP_PORT: '0', MASKGATE_SMARTHOST: sink.url, MASKGATE_LOG_LEVEL: 'info' },
    nodeArgs,
  });
  children.push(child.proc);
  const alias = await seedChildPair(child, 'T-1');
  // 1 MiB of text: past TRIM_FROM_BYTES on the SMTP thread and the pool thread that reads it.
  const body = Array.from({ length: 16_384 }, (_, i) => `line ${i} ${'y'.repeat(56)}`).join('\r\n');
  const r = await SmtpClient.sendOnce(
    child.smtpPort,
    'jane@buyer.example',
    alias,
    buildMessage({ from: 'jane@buyer.example', to: alias, subject: 'large', body }),
  );
  const [m] = await sink.waitFor(1, 30_000);
  return { mallocTrim: child.listening.mallocTrim, code: r.reply.code, delivered: m!.raw.toString('latin1') };
}

describe('malloc_trim in the gateway', () => {
  it.runIf(onGlibc)(
    'is available on glibc (gateway.listening says mallocTrim: true)',
    async () => {
      const r = await relayLarge([]);
      expect(r.mallocTrim).toBe(true);
      expect(r.code).toBe(250);
    },
    120_000,
  );

  it('relays a large message as before where koffi cannot be loaded, and says why at start', async () => {
    const r = await relayLarge(['--require', './test/helpers/no-koffi.cjs']);
    expect(r.mallocTrim).toMatch(onGlibc ? /koffi/ : /glibc/);
    expect(r.code).toBe(250);
    expect(r.delivered).toMatch(/^Subject: large\r$/m);
    expect(r.delivered).toContain(`line 16383 ${'y'.repeat(56)}`);
  }, 120_000);
});
