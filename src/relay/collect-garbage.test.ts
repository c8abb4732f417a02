import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GATEWAY_NODE_ARGS } from '../../test/helpers/child-gateway.js';

const MiB = 1024 * 1024;
const moduleUrl = new URL('./collect-garbage.ts', import.meta.url).href;
const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs `body` in a fresh node with the gateway's V8 flags (a real heap, a real gc()), with
 * `collectIfGrown`, `heapHeld`, `COLLECT_GROWTH` and `calls()` (how many times gc() ran) in scope;
 * returns what the body printed as JSON on its last line.
 */
async function inNode(body: string, nodeArgs: readonly string[] = GATEWAY_NODE_ARGS): Promise<Record<string, number | boolean>> {
  const file = join(mkdtempSync(join(tmpdir(), 'maskgate-gc-')), 'probe.mts');
  writeFileSync(
    file,
    `const { collectIfGrown, heapHeld, COLLECT_GROWTH } = await import(${JSON.stringify(moduleUrl)});
     let n = 0;
     const real = globalThis.gc;
     if (real) globalThis.gc = () => { n++; real(); };
     const calls = () => n;
     ${body}`,
  );
  const { stdout } = await promisify(execFile)(process.execPath, [...nodeArgs, '--import', 'tsx', file], { cwd: root });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as Record<string, number | boolean>;
}

/**
 * Script text: `count` dead 1 MiB texts decoded from bytes (as a parser decodes a text part: Node
 * keeps strings that large outside V8's heap) and as many 1 MiB Buffers.
 */
const burst = (count: number) => `
  {
    let held = [];
    for (let i = 0; i < ${count}; i++) {
      const bytes = Buffer.alloc(${MiB}, 'line ' + i + ' ');
      held.push(bytes.toString('latin1'), bytes);
    }
    held = null;
  }`;

describe('collectIfGrown', () => {
  it("collects a thread's heap after a burst of large texts and buffers back to within the bound of what it held before", async () => {
    const r = await inNode(`
      const v8 = await import('node:v8');
      collectIfGrown();
      const before = heapHeld();
      const usedBefore = v8.getHeapStatistics().used_heap_size + process.memoryUsage().arrayBuffers;
      ${burst(40)}
      const grown = heapHeld() - before;
      const collected = collectIfGrown();
      // V8's heap in use and the ArrayBuffers' memory: a collection frees the buffers on a helper
      // thread right after it (and V8 counts them off external_memory only at its next collection).
      const used = () => v8.getHeapStatistics().used_heap_size + process.memoryUsage().arrayBuffers - usedBefore;
      for (let i = 0; i < 50 && used() >= 8 * 1024 * 1024; i++) await new Promise((r) => setTimeout(r, 100));
      console.log(JSON.stringify({ grown, collected, calls: calls(), after: used(), bound: COLLECT_GROWTH }));
    `);
    // 40 MiB of text and 40 MiB of buffers, dead: more than the bound, so the rule must fire.
    expect(r.grown).toBeGreaterThan(r.bound as number);
    expect(r.collected).toBe(true);
    expect(r.calls).toBe(1);
    expect(r.after).toBeLessThan(8 * MiB);
  });

  it('runs no collection while the garbage of the messages since the last one stays under the bound', async () => {
    const r = await inNode(`
      let collected = 0;
      collectIfGrown();
      for (let m = 0; m < 12; m++) { ${burst(1)}; if (collectIfGrown(${2 * MiB})) collected++; }
      console.log(JSON.stringify({ collected, calls: calls() }));
    `);
    // 12 messages each leaving a 1 MiB text and a 1 MiB buffer: 24 MiB, under the bound.
    expect(r.collected).toBe(0);
    expect(r.calls).toBe(0);
  });

  it('collects once, not after every message, when what grew is alive (in-flight messages)', async () => {
    const r = await inNode(`
      collectIfGrown();
      const live = [];
      for (let i = 0; i < 48; i++) live.push(Buffer.alloc(${MiB}, i));
      const first = collectIfGrown();
      let later = 0;
      for (let m = 0; m < 10; m++) { if (collectIfGrown()) later++; }
      console.log(JSON.stringify({ first, later, calls: calls(), live: live.length }));
    `);
    expect(r.first).toBe(true);
    expect(r.later).toBe(0);
    expect(r.calls).toBe(1);
  });

  it('collects at once after a message of 4 MiB or more, however little the heap grew', async () => {
    const r = await inNode(`
      collectIfGrown();
      const big = collectIfGrown(${17 * MiB});
      const small = collectIfGrown(${MiB});
      console.log(JSON.stringify({ big, small, calls: calls() }));
    `);
    expect(r.big).toBe(true);
    expect(r.small).toBe(false);
    expect(r.calls).toBe(1);
  });

  it('does nothing where gc() is not exposed', async () => {
    const r = await inNode(
      `
      collectIfGrown();
      ${burst(40)}
      console.log(JSON.stringify({ collected: collectIfGrown(), exposed: typeof real === 'function' }));
    `,
      [],
    );
    expect(r.exposed).toBe(false);
    expect(r.collected).toBe(false);
  });
});
