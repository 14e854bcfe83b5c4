#!/usr/bin/env node
// Typechecks every project (vitest strips types without checking them, so a type error in a
// test would otherwise pass), runs every project's tests through nx, then prints one summary
// line summed over all projects, so that a run which executed nothing (or lost a project) is
// visible in CI. A failed typecheck counts as one failure, and so does each malformed changeset.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { changesetProblems } from './check-changesets.mjs';

const roots = ['packages', 'apps', 'tools'];
const workspaces = roots
  .filter((root) => existsSync(root))
  .flatMap((root) => readdirSync(root).map((name) => join(root, name)))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }));
const projects = workspaces.filter(({ manifest }) => manifest.scripts?.test).map(({ dir }) => dir);

// Stale reports from an earlier run must not be counted; nx restores them on a cache hit.
for (const dir of projects) rmSync(join(dir, '.test-results'), { recursive: true, force: true });

const typecheck = spawnSync('npx', ['nx', 'run-many', '-t', 'typecheck', '--outputStyle=stream'], {
  stdio: 'inherit',
});
const run = spawnSync('npx', ['nx', 'run-many', '-t', 'test', '--outputStyle=stream', ...process.argv.slice(2)], {
  stdio: 'inherit',
});

let passed = 0;
let failed = 0;
if (typecheck.status !== 0) {
  console.error('test-all: typecheck failed (see above)');
  failed += 1;
}
for (const problem of changesetProblems(new Set(workspaces.map(({ manifest }) => manifest.name)))) {
  console.error(`test-all: changeset ${problem}`);
  failed += 1;
}
const missing = [];
for (const dir of projects) {
  const report = join(dir, '.test-results', 'vitest.json');
  if (!existsSync(report)) {
    missing.push(dir);
    continue;
  }
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed += json.numPassedTests ?? 0;
  failed += json.numFailedTests ?? 0;
  // A file that failed to load has no test results but must still count as a failure.
  failed += (json.testResults ?? []).filter(
    (file) => file.status === 'failed' && file.assertionResults.length === 0,
  ).length;
}
if (missing.length > 0) {
  console.error(`test-all: no test report from ${missing.join(', ')}`);
  failed += missing.length;
}
const status = run.status === 0 && failed === 0 ? 0 : 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(status);
