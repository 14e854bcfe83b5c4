/** A test file's own cluster, for the files that kill, pause or partition members. */
import type { ChaosCluster } from '@keel/chaos';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { addressesOf, Clients, startCluster } from './cluster';

/** A started cluster and the clients a test makes of it. */
export interface OwnCluster {
  readonly cluster: ChaosCluster;
  readonly clients: Clients;
}

/**
 * Registers the hooks that start a three-member cluster before the file's tests (handing it to
 * `started`) and close the clients and destroy it after them. With `healAfterEach`, every test
 * also leaves a whole cluster behind: its clients closed, faults healed, a leader elected.
 */
export function useOwnCluster(started: (own: OwnCluster) => void, options: { healAfterEach?: boolean } = {}): void {
  let own: OwnCluster | undefined;

  beforeAll(async () => {
    const cluster = await startCluster();
    own = { cluster, clients: new Clients(addressesOf(cluster)) };
    started(own);
  });

  if (options.healAfterEach === true) {
    afterEach(async () => {
      if (own === undefined) return;
      await own.clients.closeAll();
      await own.cluster.healAll();
      await own.cluster.waitForLeader();
    });
  }

  afterAll(async () => {
    await own?.clients.closeAll();
    await own?.cluster.destroy();
  });
}
