/** Access to the cluster started by `shared-cluster.ts` for the files that never fault it. */
import { inject } from 'vitest';
import type { MemberAddress } from './cluster';

/** The members of the shared cluster. */
export function sharedMembers(): MemberAddress[] {
  return inject('sharedMembers');
}
