// The Dockerfile cannot be built on the development machine (no Docker engine), so it is linted
// here with dockerfile-utils (the validator behind VS Code's Docker support) and held to what the
// README promises of the image.
import { readFileSync } from 'node:fs';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

const text = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
const lines = text.split('\n');
// Instructions with their continuation lines joined.
const instructions = text
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'));
const runtime = instructions.slice(instructions.findLastIndex((l) => l.startsWith('FROM ')));

describe('Dockerfile', () => {
  it('passes the linter with no error and no warning', () => {
    const problems = validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message} (${lines[d.range.start.line]?.trim()})`);
    expect(problems).toEqual([]);
  });

  it('builds in two stages on the current Node LTS, the compiler only in the first', () => {
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    expect(froms).toHaveLength(2);
    for (const f of froms) expect(f).toMatch(/^FROM node:26-bookworm-slim\b/);
    expect(runtime.join('\n')).not.toMatch(/g\+\+|make|python3/);
    expect(runtime).toContain('COPY --from=build /app/node_modules ./node_modules');
  });

  it('runs as a non-root user with its data under /data, on the standard ports, with a health check and a graceful stop', () => {
    expect(runtime).toContain('USER node');
    expect(runtime).toContain('VOLUME ["/data"]');
    expect(runtime.find((l) => l.startsWith('ENV '))).toMatch(/MASKGATE_DATA_DIR=\/data/);
    const env = runtime.find((l) => l.startsWith('ENV ')) ?? '';
    expect(env).toMatch(/MASKGATE_SMTP_PORT=25\b/);
    expect(env).toMatch(/MASKGATE_SUBMISSION_PORT=587\b/);
    expect(env).toMatch(/MASKGATE_SUBMISSION_TLS_PORT=465\b/);
    expect(
      runtime
        .find((l) => l.startsWith('EXPOSE '))
        ?.split(/\s+/)
        .slice(1)
        .sort(),
    ).toEqual(['25', '465', '587', '8080']);
    expect(runtime.find((l) => l.startsWith('HEALTHCHECK '))).toContain('/healthz');
    expect(runtime).toContain('STOPSIGNAL SIGTERM');
    // The entry point is node itself (PID 1 gets the SIGTERM), not a shell that would swallow it.
    expect(runtime.at(-1)).toBe('CMD ["node", "--expose-gc", "--max-semi-space-size=4", "--heap-growing-percent=50", "dist/src/main.js"]');
  });
});
