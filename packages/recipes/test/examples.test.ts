// Goal: every example under examples/ runs to completion against a real member (exit code 0).
// Method: one in-process member on 127.0.0.1; each example runs as `tsx --conditions=@keel/source`
// with KEEL_SERVERS pointing at it (about a second per example: a TypeScript start each).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessCluster, repositoryRoot } from './harness';

const examplesDir = join(repositoryRoot, 'examples');
const examples = readdirSync(examplesDir).filter((name) => name.endsWith('.ts') && name !== 'keel.ts');
const tsx = join(repositoryRoot, 'node_modules', '.bin', 'tsx');

describe('examples', () => {
  let cluster: InProcessCluster;

  beforeAll(async () => {
    cluster = await InProcessCluster.start(1);
  });

  afterAll(async () => {
    await cluster.stop();
  });

  // Asynchronous: the member runs in this process and must keep answering meanwhile.
  it.each(examples)('%s runs to completion', async (example) => {
    const child = spawn(tsx, ['--conditions=@keel/source', join(examplesDir, example)], {
      cwd: repositoryRoot,
      env: { ...process.env, KEEL_SERVERS: cluster.urls.join(',') },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
