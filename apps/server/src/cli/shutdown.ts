/**
 * Stopping a member on SIGTERM/SIGINT without costing the cluster an election timeout: a leader
 * first hands leadership to its most caught-up voter, then stops.
 */
import type { NodeId, RaftNodeStatus } from '@keel/raft';
import type { KeelLogger } from '../logging/logger';
import type { KeelServer } from '../server/keel-server';

/** Longest a stopping leader waits for its successor to take over before stopping anyway. */
export const leadershipTransferWaitMs = 2_000;

/**
 * The voter a stopping leader should hand leadership to: among the other voters, one that
 * answered recently, with the highest match index (it needs the fewest entries to be able to
 * win); null when this member does not lead or has no other voter.
 */
export function transferTarget(status: Pick<RaftNodeStatus, 'id' | 'role' | 'conf' | 'progress'>): NodeId | null {
  if (status.role !== 'leader' || status.progress === null) return null;
  let best: { id: NodeId; match: number; active: boolean } | null = null;
  for (const id of status.conf.voters) {
    if (id === status.id) continue;
    const progress = status.progress.get(id);
    if (progress === undefined) continue;
    const candidate = { id, match: progress.match, active: progress.recentActive };
    const better =
      best === null ||
      (candidate.active && !best.active) ||
      (candidate.active === best.active && candidate.match > best.match);
    if (better) best = candidate;
  }
  return best?.id ?? null;
}

/** What stopping needs. */
export interface ShutdownParts {
  readonly server: Pick<KeelServer, 'id' | 'node' | 'stop'>;
  /** Closed first, so load balancers stop sending clients here while the member drains. */
  readonly admin: { close(): Promise<void> } | null;
  readonly logger: KeelLogger;
}

/**
 * Stops the member: closes the admin endpoint, hands leadership over if leading (bounded by
 * {@link leadershipTransferWaitMs}; a failed transfer only costs the cluster an election), then
 * `server.stop()` (clients are told `serverClosing`, the log is made durable).
 */
export async function shutDown(parts: ShutdownParts, reason: string): Promise<void> {
  const { server, admin, logger } = parts;
  logger.info({ reason }, 'shutting down');
  await admin?.close();
  const target = transferTarget(server.node.status());
  if (target !== null) {
    try {
      await server.node.transferLeadership(target, { signal: AbortSignal.timeout(leadershipTransferWaitMs) });
      logger.info({ to: target }, 'leadership transferred');
    } catch (error) {
      logger.warn({ to: target, error: String(error) }, 'leadership transfer failed; stopping anyway');
    }
  }
  await server.stop();
  logger.info({ reason }, 'keel-server stopped');
}
