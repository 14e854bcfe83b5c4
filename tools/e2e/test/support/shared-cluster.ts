/**
 * Vitest global setup: one three-member cluster for the test files that never fault it (they
 * read it with `sharedMembers()`), so each of them does not pay for starting its own. Files that
 * kill, pause or partition members start their own cluster.
 */
import type { TestProject } from 'vitest/node';
import { addressesOf, type MemberAddress, startCluster } from './cluster';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The members of the shared cluster. */
    sharedMembers: MemberAddress[];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startCluster();
  project.provide('sharedMembers', addressesOf(cluster));
  return () => cluster.destroy();
}
