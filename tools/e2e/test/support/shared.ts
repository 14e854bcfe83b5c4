/**
 * A three-member cluster for a test file that never faults it. Importing this module registers
 * the file's hooks: the cluster starts before the file's own `beforeAll` (hooks run in the order
 * they are registered) and is destroyed after its tests. It runs in the file's worker, not in
 * vitest's main process: a cluster torn down in a global setup once left that process spinning
 * after every test had passed.
 */
import type { ChaosCluster } from '@keel/chaos';
import { afterAll, beforeAll } from 'vitest';
import { addressesOf, type MemberAddress, startCluster } from './cluster';

let cluster: ChaosCluster | undefined;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster?.destroy();
});

/** The members of this file's cluster (call from a hook or a test). */
export function sharedMembers(): MemberAddress[] {
  if (cluster === undefined) throw new Error('the shared cluster is not started');
  return addressesOf(cluster);
}
