import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory and the function that removes it. */
export interface TempDir {
  readonly dir: string;
  readonly cleanup: () => Promise<void>;
}

/** Creates a temporary directory named after `prefix`; `cleanup` removes it with its contents. */
export async function tempDir(prefix = 'keel-test-'): Promise<TempDir> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
