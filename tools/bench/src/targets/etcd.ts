/**
 * The etcd driver, with `etcd3` (the Node client etcd users have). A ZooKeeper path is used as
 * the key; "children" is a keys-only range over `path/`; an ephemeral node is a key on the
 * session's lease (etcd's equivalent of a session), revoked on close. Local reads are
 * serializable ranges, linearizable reads are etcd's default (quorum) ranges. "create" is a
 * plain put (no existence check), which favours etcd.
 */
import { Etcd3, EtcdLockFailedError, type Lease } from 'etcd3';
import { nowMicros } from '../load/clock';
import type { DataWatch, HeldLock, Mutex, NodeMode, Session, TargetDriver } from './session';

/** Lease TTL of a session's ephemeral keys and of locks, in seconds (ZooKeeper's 10 s session timeout). */
const leaseTtlSec = 10;

class EtcdSession implements Session {
  private lease: Lease | undefined;

  constructor(readonly client: Etcd3) {}

  async create(path: string, data: Uint8Array, mode: NodeMode = 'persistent'): Promise<string> {
    if (mode === 'ephemeralSequential') throw new Error('etcd has no sequential keys; use the etcd3 Lock for locks');
    if (mode === 'ephemeral') {
      this.lease ??= this.client.lease(leaseTtlSec);
      await this.lease.put(path).value(Buffer.from(data)).exec();
    } else {
      await this.client.put(path).value(Buffer.from(data)).exec();
    }
    return path;
  }

  async set(path: string, data: Uint8Array): Promise<void> {
    await this.client.put(path).value(Buffer.from(data)).exec();
  }

  async get(path: string, linearizable: boolean): Promise<Uint8Array> {
    const value = await this.client.get(path).serializable(!linearizable).buffer();
    if (value === null) throw new Error(`etcd: no key ${path}`);
    return value;
  }

  children(path: string): Promise<readonly string[]> {
    return this.client.getAll().prefix(`${path}/`).keys();
  }

  async delete(path: string): Promise<void> {
    await this.client.delete().key(path).exec();
  }

  async existsWatch(path: string, onChange: () => void): Promise<boolean> {
    const watcher = await this.client.watch().key(path).create();
    const value = await this.client.get(path).buffer();
    if (value === null) {
      await watcher.cancel();
      return false;
    }
    watcher.once('delete', () => {
      watcher.cancel().catch(() => {});
      onChange();
    });
    return true;
  }

  async watchData(path: string, onEvent: (atMicros: number) => void): Promise<DataWatch> {
    const watcher = await this.client.watch().key(path).create();
    watcher.on('put', () => onEvent(nowMicros()));
    return { armed: () => Promise.resolve(), close: () => watcher.cancel() };
  }

  async close(): Promise<void> {
    try {
      if (this.lease !== undefined) await this.lease.revoke();
    } finally {
      this.client.close();
    }
  }
}

/** Waits until `key` does not exist (watching it, so no polling). */
async function waitUntilGone(client: Etcd3, key: string): Promise<void> {
  const watcher = await client.watch().key(key).create();
  try {
    if ((await client.get(key).buffer()) === null) return;
    await new Promise<void>((resolve) => watcher.once('delete', () => resolve()));
  } finally {
    await watcher.cancel().catch(() => {});
  }
}

/**
 * etcd3's `Lock` (a lease plus a create-if-absent transaction) only tries once; a waiting
 * contender watches the key and tries again when it is deleted. Every waiter wakes on each
 * release (etcd3's Lock has no queue), which is how users of that class wait.
 */
function etcdMutex(client: Etcd3, lockPath: string): Mutex {
  // The lock path itself may exist as a node (the workloads create it for ZooKeeper and Keel);
  // etcd3's Lock needs a key that exists only while the lock is held.
  const key = `${lockPath}/etcd3-lock`;
  return {
    async acquire(): Promise<HeldLock> {
      for (;;) {
        const lock = client.lock(key).ttl(leaseTtlSec);
        try {
          await lock.acquire();
          return { release: () => lock.release() };
        } catch (error) {
          if (!(error instanceof EtcdLockFailedError)) throw error;
        }
        await waitUntilGone(client, key);
      }
    },
  };
}

/** Drives an etcd cluster at `endpoints` (`http://host:port` URLs). */
export function etcdDriver(endpoints: readonly string[]): TargetDriver {
  return {
    name: 'etcd',
    mutexRecipe: "etcd3's Lock (lease + create-if-absent txn), retried when the key is deleted",
    async connect(): Promise<Session> {
      const client = new Etcd3({ hosts: [...endpoints] });
      return new EtcdSession(client);
    },
    mutex(session, lockPath) {
      if (!(session instanceof EtcdSession)) throw new TypeError('etcd mutex needs an etcd session');
      return etcdMutex(session.client, lockPath);
    },
  };
}
