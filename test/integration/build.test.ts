// The built gateway (what the Docker image and the systemd unit run) starts and serves the admin
// with its assets: `npm run build`, then `node dist/src/main.js` as a child process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildGateway, type ChildGateway } from '../helpers/child-gateway.js';

const root = new URL('../../', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'maskgate-built-'));
let child: ChildGateway | null = null;
afterAll(() => {
  child?.proc.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the build', () => {
  // `npm run build` is tsc over the whole project with type checking: ~40 s alone, past 120 s when
  // CI shares the machine. `npm test` type-checks the same sources first (tsc --noEmit over
  // tsconfig.json, which includes everything tsconfig.build.json compiles), so here the emit alone
  // (`--noCheck`, the same compiler, options and files: ~7 s) is what is left to show: that what
  // it writes to dist/ starts and serves.
  it('compiles, starts from dist/ and serves the admin, its assets and /readyz', { timeout: 300_000 }, async () => {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--noCheck'], { cwd: root, stdio: 'pipe' });
    child = await startChildGateway({
      script: 'dist/src/main.js',
      nodeArgs: [],
      plain: true,
      token: 'build-test-token-0123456789abcdef',
      env: { MASKGATE_DATA_DIR: dataDir, MASKGATE_SMTP_PORT: '0', MASKGATE_HTTP_PORT: '0', MASKGATE_LOG_LEVEL: 'info' },
    });
    const base = `http://127.0.0.1:${child.httpPort}`;
    expect((await fetch(`${base}/login`)).status).toBe(200);
    for (const asset of ['app.css', 'app.js', 'htmx.min.js']) expect((await fetch(`${base}/assets/${asset}`)).status, asset).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
  });
});
