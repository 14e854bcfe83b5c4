/**
 * The Keel driver, with `@keel/client`. Local reads are `get`, linearizable reads
 * `get(..., { linearizable: true })` (ReadIndex). Data watches use the client's persistent
 * `watch()` stream (no re-arming), as etcd's do; ZooKeeper's client only has one-shot watches.
 * Locks use `@keel/recipes`' Mutex (Curator's InterProcessMutex: ephemeral sequential node,
 * fencing token; a waiter waits on the member's turn watch instead of watching its predecessor).
 */
import { connect, type KeelClient } from '@keel/client';
import { Mutex as KeelMutex } from '@keel/recipes';
import { nowMicros } from '../load/clock';
import { inOrderFirst, MemberRotation, rotated } from './member-rotation';
import type { DataWatch, HeldLock, Mutex, NodeMode, Session, TargetDriver } from './session';

class KeelSession implements Session {
  constructor(readonly client: KeelClient) {}

  create(path: string, data: Uint8Array, mode: NodeMode = 'persistent'): Promise<string> {
    const keelMode = mode === 'ephemeralSequential' ? 'ephemeral_sequential' : mode;
    return this.client.create(path, data, { mode: keelMode });
  }

  async set(path: string, data: Uint8Array): Promise<void> {
    await this.client.set(path, data);
  }

  async get(path: string, linearizable: boolean): Promise<Uint8Array> {
    return (await this.client.get(path, { linearizable })).data;
  }

  children(path: string): Promise<readonly string[]> {
    return this.client.children(path);
  }

  delete(path: string): Promise<void> {
    return this.client.delete(path);
  }

  async existsWatch(path: string, onChange: () => void): Promise<boolean> {
    const stat = await this.client.exists(path, { watch: () => onChange() });
    return stat !== null;
  }

  async watchData(path: string, onEvent: (atMicros: number) => void): Promise<DataWatch> {
    const stream = this.client.watch(path);
    await stream.ready;
    const pump = (async () => {
      for await (const event of stream) {
        if (event.type === 'dataChanged') onEvent(nowMicros());
      }
    })();
    return {
      armed: () => Promise.resolve(),
      close: async () => {
        await stream.close();
        await pump.catch(() => {});
      },
    };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** Drives a Keel cluster whose members serve clients at `servers` (`ws://host:port`). */
export function keelDriver(servers: readonly string[], sessionTimeoutMs = 10_000): TargetDriver {
  const rotation = new MemberRotation(servers.length);
  return {
    name: 'keel',
    mutexRecipe: '@keel/recipes Mutex: ephemeral sequential node, turn watch on the member',
    async connect(): Promise<Session> {
      const order = rotated(servers, rotation.take());
      // The client shuffles its member list; keep this order for the first round only.
      return new KeelSession(await connect({ servers: order, sessionTimeoutMs, random: inOrderFirst(order.length) }));
    },
    mutex(session, lockPath): Mutex {
      if (!(session instanceof KeelSession)) throw new TypeError('keel mutex needs a keel session');
      const mutex = new KeelMutex(session.client, lockPath);
      return {
        async acquire(): Promise<HeldLock> {
          const lease = await mutex.acquire();
          return { release: () => lease.release() };
        },
      };
    },
  };
}
