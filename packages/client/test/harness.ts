/**
 * Shared helpers of the client tests: real Keel members started in-process on 127.0.0.1 with
 * ephemeral ports and temporary data directories, a TCP proxy that can cut or stall a client's
 * connection (real sockets, so connection loss is real), and small waiting helpers.
 */
import type { KeelServer, KeelServerOptions } from '@keel/server';
import { tempDir as sharedTempDir, startMember, startMembers, type TempDir, waitForLeader } from '@keel/server/testing';
import type { ConnectionState, KeelClient } from '../src/index';

export { TcpProxy, waitFor } from '@keel/server/testing';

/** Creates a temporary data directory; `cleanup` removes it. */
export function tempDir(): Promise<TempDir> {
  return sharedTempDir('keel-client-');
}

/** Starts a single-member cluster in `dataDir` and waits until it leads. */
export function startSingle(dataDir: string, overrides: Partial<KeelServerOptions> = {}): Promise<KeelServer> {
  return startMember({ clusterSecret: 'client-test', dataDir, ...overrides });
}

/** Starts a three-member cluster in `dataDir` and waits until every member agrees on a leader. */
export async function startCluster(
  dataDir: string,
  overrides: Partial<KeelServerOptions> = {},
): Promise<{ servers: KeelServer[]; leader: KeelServer }> {
  const servers = await startMembers(dataDir, ['a', 'b', 'c'], { clusterSecret: 'client-test', ...overrides });
  return { servers, leader: await waitForLeader(servers) };
}

/** Waits until the running members agree on one leader, and returns it. */
export const agreedLeader = waitForLeader;

/** Records a client's state events in order. */
export function recordStates(client: KeelClient): ConnectionState[] {
  const states: ConnectionState[] = [];
  client.on('state', (state) => states.push(state));
  return states;
}

/**
 * Creates a node, retrying while the cluster changes leader: a retry after an unknown outcome
 * (ConnectionLoss, Timeout) that finds the node already there counts as done. Returns the
 * errors it retried after, so a test can report them.
 */
export async function createRetrying(client: KeelClient, path: string, data: string): Promise<string[]> {
  const retried: string[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await client.create(path, data, { timeoutMs: 5_000 });
      return retried;
    } catch (error) {
      const code = (error as { code?: string }).code ?? String(error);
      if (code === 'NodeExists' && retried.length > 0) return retried;
      if (!['ConnectionLoss', 'Timeout', 'NotLeader', 'Throttled'].includes(code)) throw error;
      retried.push(code);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`could not create ${path} after retrying ${retried.join(', ')}`);
}
