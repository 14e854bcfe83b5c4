/**
 * Goal: a data directory is used by one process at a time. `DurableLog.open` takes a `LOCK`
 * file naming its process; a second process finds it and gets `StorageLockedError` (code
 * `STORAGE_LOCKED`, with the holder's pid), so it cannot interleave records with the first; a
 * lock left by a process that died (kill -9) is taken over; `close` removes the lock.
 * Method: real files in a temp dir and a real second process (plain `node`) that holds the
 * lock file the way a member would, then is killed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../src/storage/dir-lock';
import { DurableLog } from '../../src/storage/durable-log';
import { StorageLockedError } from '../../src/storage/errors';
import { makeDir, removeDir } from './helpers';

let dir: string;
let holder: ChildProcess | null = null;
beforeEach(async () => {
  dir = await makeDir();
});
afterEach(async () => {
  holder?.kill('SIGKILL');
  holder = null;
  await removeDir(dir);
});

/** Starts a process that writes its pid into the lock file and stays alive. */
async function startHolder(): Promise<ChildProcess> {
  const path = join(dir, LOCK_FILE);
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require('fs').writeFileSync(${JSON.stringify(path)}, process.pid + '\\n'); console.log('held'); setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return child;
}

describe('data directory lock', () => {
  it('names this process while open and is removed on close', async () => {
    const log = await DurableLog.open(dir);
    expect((await readFile(join(dir, LOCK_FILE), 'utf8')).trim()).toBe(String(process.pid));
    await log.close();
    await expect(readFile(join(dir, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a directory another live process holds, and takes it over once that process is gone', async () => {
    holder = await startHolder();
    const refused = await DurableLog.open(dir).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StorageLockedError);
    expect(refused).toMatchObject({ code: 'STORAGE_LOCKED', pid: holder.pid, dir });
    expect(String((refused as Error).message)).toMatch(/in use by process/);

    const exited = new Promise((resolve) => holder?.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
    holder = null;
    const log = await DurableLog.open(dir);
    expect((await readFile(join(dir, LOCK_FILE), 'utf8')).trim()).toBe(String(process.pid));
    await log.close();
  });

  it('takes over an empty lock file left by a crash while it was written', async () => {
    await writeFile(join(dir, LOCK_FILE), '');
    const log = await DurableLog.open(dir);
    await log.close();
  });
});
