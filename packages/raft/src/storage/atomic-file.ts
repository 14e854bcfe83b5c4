/**
 * Whole-file replacement that survives a crash at any point: the reader finds either the old
 * file or the new one, never a mix. Temp files left by a crash end in `.tmp` and are ignored.
 */
import type { FileHandle } from 'node:fs/promises';
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { DiskStats } from './disk-stats';

/** Suffix of files being written; a crash may leave them behind. */
export const TEMP_SUFFIX = '.tmp';

/** Makes creations, renames and unlinks inside `dir` durable. */
export async function fsyncDirectory(dir: string, stats: DiskStats): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
    stats.directoryFsyncs += 1;
  } finally {
    await handle.close();
  }
}

/** Writes `bytes` to `dir/name` atomically: temp file, fsync, rename, fsync the directory. */
export async function writeFileAtomic(dir: string, name: string, bytes: Uint8Array, stats: DiskStats): Promise<void> {
  const target = join(dir, name);
  const temp = `${target}${TEMP_SUFFIX}`;
  const handle = await open(temp, 'w');
  try {
    await writeAll(handle, bytes, 0);
    await handle.sync();
    stats.fileFsyncs += 1;
  } finally {
    await handle.close();
  }
  await rename(temp, target);
  await fsyncDirectory(dir, stats);
}

/** Writes all of `bytes` at `position` (a single write may be short). */
export async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let written = 0;
  while (written < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.byteLength - written, position + written);
    written += bytesWritten;
  }
}

/** Writes every byte of `pieces`, in order from `position`, in as few calls as the system allows. */
export async function writevAll(handle: FileHandle, pieces: readonly Uint8Array[], position: number): Promise<void> {
  const rest = [...pieces];
  let first = 0;
  let at = position;
  while (first < rest.length) {
    const { bytesWritten } = await handle.writev(first === 0 ? rest : rest.slice(first), at);
    at += bytesWritten;
    let skip = bytesWritten;
    while (first < rest.length && skip >= (rest[first] as Uint8Array).byteLength) {
      skip -= (rest[first] as Uint8Array).byteLength;
      first++;
    }
    if (skip > 0) rest[first] = (rest[first] as Uint8Array).subarray(skip);
  }
}

/** Deletes leftover temp files of interrupted atomic writes. */
export async function removeTempFiles(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name.endsWith(TEMP_SUFFIX)) await unlink(join(dir, name));
  }
}

/** Reads a whole file, or returns null if it does not exist. */
export async function readFileIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT';
}
