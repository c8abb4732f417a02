import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';

type TrimModule = typeof import('./malloc-trim.js');
const MiB = 1024 * 1024;

/** A fresh copy of the module (its state: the bound function, the last trim, the count). */
async function fresh(): Promise<TrimModule> {
  vi.resetModules();
  return import('./malloc-trim.js');
}

const root = fileURLToPath(new URL('../..', import.meta.url));

const onGlibc =
  process.platform === 'linux' && typeof (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime === 'string';

describe('trimMalloc', () => {
  it.runIf(onGlibc)('calls malloc_trim after a large message, at most once per TRIM_EVERY_MS, never after a small one', async () => {
    const m = await fresh();
    expect(m.mallocTrimStatus()).toEqual({ available: true, reason: null });
    expect(m.trimMalloc(m.TRIM_FROM_BYTES - 1)).toBe(false);
    expect(m.trimCount()).toBe(0);
    expect(m.trimMalloc(MiB)).toBe(true);
    expect(m.trimCount()).toBe(1);
    expect(m.trimMalloc(MiB)).toBe(false);
    expect(m.trimCount()).toBe(1);
    await new Promise((r) => setTimeout(r, m.TRIM_EVERY_MS + 20));
    expect(m.trimMalloc(MiB, 'pool')).toBe(true);
    expect(m.trimCount()).toBe(2);
  });

  it('does nothing, without throwing, when koffi cannot be loaded, and says why', async () => {
    // A fresh node: koffi is cached in this one once loaded. no-koffi.cjs makes it unresolvable.
    const file = join(mkdtempSync(join(tmpdir(), 'maskgate-trim-')), 'probe.mts');
    writeFileSync(
      file,
      `const m = await import(${JSON.stringify(new URL('./malloc-trim.ts', import.meta.url).href)});
       const trimmed = m.trimMalloc(${MiB});
       console.log(JSON.stringify({ trimmed, count: m.trimCount(), status: m.mallocTrimStatus() }));`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--require', join(root, 'test/helpers/no-koffi.cjs'), '--import', 'tsx', file], {
      cwd: root,
    });
    const r = JSON.parse(stdout.trim().split('\n').at(-1) as string) as { trimmed: boolean; count: number; status: { available: boolean; reason: string } };
    expect(r.trimmed).toBe(false);
    expect(r.count).toBe(0);
    expect(r.status.available).toBe(false);
    expect(r.status.reason).toMatch(onGlibc ? /koffi/ : /glibc/);
  });
});
