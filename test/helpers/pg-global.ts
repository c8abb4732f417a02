// vitest global setup: a state directory for the run's shared PostgreSQL cluster (started lazily by
// the first test file that needs it, see postgres.ts) and, at the end, stopping it.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { stopCluster, type ClusterRecord } from './pg-cluster.js';

export default function setup(project: TestProject): () => void {
  const state = mkdtempSync(join(tmpdir(), 'maskgate-pg-state-'));
  project.provide('pgState', state);
  return () => {
    const file = join(state, 'cluster.json');
    if (existsSync(file)) stopCluster(JSON.parse(readFileSync(file, 'utf8')) as ClusterRecord);
    rmSync(state, { recursive: true, force: true });
  };
}
