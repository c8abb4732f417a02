// Every way of starting the gateway gives node the same flags, and the child gateways of the tests
// and the bench run with them too (so the bench measures what production runs).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GATEWAY_ENV, GATEWAY_NODE_ARGS } from '../helpers/child-gateway.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const flags = GATEWAY_NODE_ARGS.join(' ');
const env = Object.entries(GATEWAY_ENV).map(([k, v]) => `${k}=${v}`);

describe('launchers', () => {
  it('npm start passes the gateway node flags', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    // bin/start.js runs the build when it is fresh, else the source through tsx, in this process.
    expect(pkg.scripts.start).toBe(`${env.join(' ')} node ${flags} bin/start.js`);
  });

  it('the Docker image passes them', () => {
    const cmd = read('Dockerfile')
      .split('\n')
      .filter((l) => l.startsWith('CMD '))
      .at(-1);
    expect(cmd).toBe(`CMD ${JSON.stringify(['node', ...GATEWAY_NODE_ARGS, 'dist/src/main.js']).replace(/","/g, '", "')}`);
    const runtimeEnv =
      read('Dockerfile')
        .replace(/\\\n\s*/g, ' ')
        .split('\n')
        .filter((l) => l.startsWith('ENV '))
        .at(-1) ?? '';
    for (const e of env) expect(runtimeEnv.split(/\s+/)).toContain(e);
  });

  it('the systemd unit passes them', () => {
    expect(read('deploy/maskgate.service')).toContain(`ExecStart=/usr/bin/node ${flags} dist/src/main.js`);
    for (const e of env) expect(read('deploy/maskgate.service')).toContain(`Environment=${e}\n`);
  });

  it('node accepts every one of them (a misspelt V8 flag would stop the gateway at start)', () => {
    const out = execFileSync(process.execPath, [...GATEWAY_NODE_ARGS, '-e', 'process.stdout.write(typeof gc)'], { encoding: 'utf8' });
    expect(out).toBe('function');
    expect(GATEWAY_NODE_ARGS).toContain('--heap-growing-percent=50');
  });

  it('the maskgate command passes them (maskgate start runs in its process)', () => {
    expect(read('bin/maskgate.js').split('\n')[0]).toBe(`#!/usr/bin/env -S ${env.join(' ')} node ${flags}`);
  });
});
