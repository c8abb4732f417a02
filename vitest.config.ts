import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { findChromium, hasOpenssl, testFilesImporting } from './test/helpers/test-tools.js';
import { findPgBin } from './test/helpers/pg-cluster.js';

// Tests that need a program besides Node run only where it is installed; the others say so in one
// line each (README, top). .ci/run installs both, so CI always runs everything.
const root = new URL('.', import.meta.url).pathname;
const exclude: string[] = [];
if (!findChromium()) {
  exclude.push('test/e2e/**');
  const set = process.env.CHROMIUM_PATH;
  console.warn(
    set
      ? `maskgate: browser tests (test/e2e) skipped: CHROMIUM_PATH is set to ${set}, which does not exist. Point it at a Chrome/Chromium binary, or unset it to use an installed one.`
      : 'maskgate: browser tests (test/e2e) skipped: no Chromium found. Enable them: apt-get install chromium, or set CHROMIUM_PATH to a Chrome/Chromium binary.',
  );
}
if (!hasOpenssl()) {
  const tls = testFilesImporting(`${root}test`, 'helpers/certs').map((f) => relative(root, f));
  exclude.push(...tls);
  console.warn(`maskgate: TLS tests (${tls.join(', ')}) skipped: no openssl found. Enable them: apt-get install openssl.`);
}

if (!findPgBin()) {
  const pgTests = testFilesImporting(`${root}test`, 'helpers/postgres').map((f) => relative(root, f));
  exclude.push(...pgTests);
  console.warn(
    `maskgate: PostgreSQL tests (${pgTests.join(', ')}) skipped: no PostgreSQL found. Enable them: apt-get install postgresql, or set PG_BIN to the directory holding initdb.`,
  );
}

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...exclude],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll waits up to 10 s (vitest's default is 1 s): a page's htmx request on a CI machine
    // running two test files at once took longer than a second (test/e2e/inbox.test.ts, the reply
    // box refilling for another order). A poll that succeeds returns at once, so passing tests
    // take no longer.
    expect: { poll: { timeout: 10_000 } },
    // Integration tests start real servers; two workers fit the 2-core machines.
    maxWorkers: 2,
    fileParallelism: true,
    // The run's throwaway PostgreSQL cluster (started by the first test file that needs one).
    globalSetup: ['test/helpers/pg-global.ts'],
  },
});
