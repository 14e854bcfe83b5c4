/**
 * The ZooKeeper driver, with `node-zookeeper-client` (the Node client ZooKeeper users have).
 * Linearizable reads are `sync` followed by `getData` on the same session, sent back to back.
 */
import zookeeper, { type Client, type Event } from 'node-zookeeper-client';
import { nowMicros } from '../load/clock';
import { MemberRotation, rotated } from './member-rotation';
import { sequentialEphemeralMutex } from './sequential-lock';
import type { DataWatch, NodeMode, Session, TargetDriver } from './session';
import { zookeeperSync } from './zookeeper-sync';

const modes: Record<NodeMode, number> = {
  persistent: zookeeper.CreateMode.PERSISTENT,
  ephemeral: zookeeper.CreateMode.EPHEMERAL,
  ephemeralSequential: zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
};

function callback<T>(resolve: (value: T) => void, reject: (error: unknown) => void) {
  return (error: unknown, value: T) => (error ? reject(error) : resolve(value));
}

class ZookeeperSession implements Session {
  constructor(private readonly client: Client) {}

  create(path: string, data: Uint8Array, mode: NodeMode = 'persistent'): Promise<string> {
    return new Promise((resolve, reject) =>
      this.client.create(path, Buffer.from(data), modes[mode], callback(resolve, reject)),
    );
  }

  set(path: string, data: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.setData(path, Buffer.from(data), -1, (error) => (error ? reject(error) : resolve())),
    );
  }

  get(path: string, linearizable: boolean): Promise<Uint8Array> {
    const read = new Promise<Uint8Array>((resolve, reject) =>
      this.client.getData(path, (error, data) => (error ? reject(error) : resolve(data ?? new Uint8Array(0)))),
    );
    if (!linearizable) return read;
    // The session answers in order, so the read sent right after the sync sees at least its state.
    return Promise.all([zookeeperSync(this.client, path), read]).then(([, data]) => data);
  }

  children(path: string): Promise<readonly string[]> {
    return new Promise((resolve, reject) =>
      this.client.getChildren(path, (error, children) => (error ? reject(error) : resolve(children))),
    );
  }

  delete(path: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.remove(path, -1, (error) => (error ? reject(error) : resolve())),
    );
  }

  existsWatch(path: string, onChange: () => void): Promise<boolean> {
    return new Promise((resolve, reject) =>
      this.client.exists(
        path,
        () => onChange(),
        (error, stat) => (error ? reject(error) : resolve(stat !== null && stat !== undefined)),
      ),
    );
  }

  async watchData(path: string, onEvent: (atMicros: number) => void): Promise<DataWatch> {
    let closed = false;
    let armed: Promise<void> = Promise.resolve();
    // ZooKeeper watches are one-shot: re-arm on every event, as ZooKeeper users do.
    const arm = (): Promise<void> =>
      new Promise((resolve, reject) =>
        this.client.getData(
          path,
          (event: Event) => {
            onEvent(nowMicros());
            if (event.getType() === zookeeper.Event.NODE_DATA_CHANGED && !closed) armed = arm();
          },
          (error) => (error ? reject(error) : resolve()),
        ),
      );
    armed = arm();
    await armed;
    return {
      armed: () => armed,
      close: async () => {
        closed = true;
      },
    };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.client.once('disconnected', () => resolve());
      this.client.close();
      // A close on a connection that is already gone emits nothing.
      setTimeout(resolve, 2000).unref();
    });
  }
}

/**
 * The client shuffles the ensemble into `connectionManager.servers` and tries them in that
 * order; put them in a fixed order starting at `start` (private field: this client's only way).
 */
function startInTurn(client: Client, start: number): void {
  const manager = (client as unknown as { connectionManager?: { servers?: { host: string; port: number }[] } })
    .connectionManager;
  const servers = manager?.servers;
  if (manager === undefined || !Array.isArray(servers)) return;
  const sorted = [...servers].sort((a, b) => `${a.host}:${a.port}`.localeCompare(`${b.host}:${b.port}`));
  manager.servers = rotated(sorted, start);
}

/** Drives a ZooKeeper ensemble at `connectString` (`host:port,host:port,...`). */
export function zookeeperDriver(connectString: string, sessionTimeoutMs = 10_000): TargetDriver {
  const rotation = new MemberRotation(connectString.split(',').length);
  return {
    name: 'zookeeper',
    mutexRecipe: 'ZooKeeper lock recipe: ephemeral sequential node, watch the predecessor (node-zookeeper-client)',
    async connect(): Promise<Session> {
      const client = zookeeper.createClient(connectString, { sessionTimeout: sessionTimeoutMs, retries: 0 });
      startInTurn(client, rotation.take());
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          client.close();
          reject(new Error(`no ZooKeeper session from ${connectString} in 15 s`));
        }, 15_000);
        client.once('connected', () => {
          clearTimeout(timer);
          resolve();
        });
        client.connect();
      });
      return new ZookeeperSession(client);
    },
    mutex: (session, lockPath) => sequentialEphemeralMutex(session, lockPath),
  };
}
