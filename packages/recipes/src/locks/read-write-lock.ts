/**
 * A distributed read-write lock (Curator's InterProcessReadWriteLock): many readers or one
 * writer, in arrival order, so a waiting writer is not starved by later readers.
 */
import type { KeelClient } from '@keel/client';
import { validatePath } from '@keel/protocol';
import { unprotectedName } from '../internal/nodes';
import { LockBase, type LockOptions } from './lock-base';
import { type LockDriver, LockInternals, standardDriver } from './lock-internals';

const readName = '__READ__';
const writeName = '__WRITE__';

/**
 * A reader holds once no writer is queued before it; it watches only the nearest writer ahead
 * of it (readers ahead of it do not block it).
 */
const readDriver: LockDriver = {
  decide(sorted, ourName) {
    const index = sorted.indexOf(ourName);
    for (let i = index - 1; i >= 0; i--) {
      const name = sorted[i] as string;
      if (unprotectedName(name).startsWith(writeName)) return { acquired: false, watch: name };
    }
    return { acquired: true };
  },
};

/** Two locks on one directory: `readLock` (shared) and `writeLock` (exclusive). */
export class ReadWriteLock {
  /** The shared lock. */
  readonly readLock: LockBase;
  /** The exclusive lock: a writer waits for every node before it, of either kind. */
  readonly writeLock: LockBase;

  constructor(
    client: KeelClient,
    readonly path: string,
    options: LockOptions = {},
  ) {
    const check = validatePath(path);
    if (!check.ok) throw check.error;
    this.readLock = new LockBase(
      client,
      path,
      new LockInternals(client, path, readName, readDriver, [writeName]),
      options,
    );
    this.writeLock = new LockBase(
      client,
      path,
      new LockInternals(client, path, writeName, standardDriver(1), [readName]),
      options,
    );
  }
}
