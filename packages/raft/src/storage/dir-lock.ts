/**
 * A lock file (`LOCK`, holding the owner's process id) that keeps a second process from opening
 * a data directory in use: two writers would interleave records and truncate each other's
 * "torn" tails. A lock left by a process that no longer exists (a crash, kill -9) is taken over.
 *
 * Best effort, not a kernel lock: it cannot see a process in another PID namespace (a second
 * container on a shared volume), and two processes taking over the same stale lock at the same
 * instant may both succeed. The same process may open a directory again (tests reopen without
 * closing to simulate a crash).
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isNotFound } from './atomic-file';
import { StorageLockedError } from './errors';

/** Name of the lock file inside the data directory. */
export const LOCK_FILE = 'LOCK';

/** Whether a process with this id exists (EPERM: it exists but belongs to another user). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(path: string): Promise<number | null> {
  try {
    const pid = Number.parseInt(await readFile(path, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** Takes the lock of `dir` for this process; throws {@link StorageLockedError} if a live process holds it. */
export async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(path);
    if (owner === process.pid) break;
    if (owner !== null && processExists(owner)) throw new StorageLockedError(dir, owner);
    if (attempt > 0) throw new StorageLockedError(dir, owner);
    // Stale: its process is gone (or the file is empty from a crash while it was written).
    await unlink(path).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  }
  return async () => {
    if ((await readOwner(path)) === process.pid) await unlink(path).catch(() => undefined);
  };
}
