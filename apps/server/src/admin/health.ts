/**
 * Readiness of a member, as load balancers and orchestrators ask for it.
 */
import type { RaftNodeStatus } from '@keel/raft';

/**
 * Most committed entries a member may still have to apply and count as ready. Applying trails
 * committing by one Ready cycle even on a healthy member, so "applied == committed" would flap
 * under load; a lag past this bound means the member is replaying or installing a snapshot.
 */
export const healthAppliedLagMax = 100;

/** Ready, or why not. */
export type Health = { readonly ready: true } | { readonly ready: false; readonly reason: string };

/** The part of a node status readiness depends on. */
export type HealthInput = Pick<RaftNodeStatus, 'stopped' | 'leader' | 'commit' | 'appliedIndex'>;

/**
 * Ready when the member runs, knows a leader, and has applied what it knows to be committed (a
 * follower learns the commit index from the leader, so this also bounds its lag behind it).
 */
export function healthOf(status: HealthInput): Health {
  if (status.stopped) return { ready: false, reason: 'the member is stopping' };
  if (status.leader === null) return { ready: false, reason: 'no known leader (election in progress or no quorum)' };
  const lag = status.commit - status.appliedIndex;
  if (lag > healthAppliedLagMax) {
    return {
      ready: false,
      reason: `catching up: applied ${status.appliedIndex} of ${status.commit} committed entries`,
    };
  }
  return { ready: true };
}
