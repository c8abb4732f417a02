#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=4194304 node --expose-gc --max-semi-space-size=4 --heap-growing-percent=50
// Runs the TypeScript source through tsx in a checkout, and the compiled CLI where only dist/ is
// shipped (the Docker image), so a stale build never shadows the source.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source);
} else {
  await import(fileURLToPath(new URL('../dist/src/cli.js', import.meta.url)));
}
