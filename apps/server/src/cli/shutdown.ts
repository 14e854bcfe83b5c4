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
 * The voter a stopping leader should hand leadership to: among the other voters that answered
 * within the last election timeout, the one with the highest match index (it needs the fewest
 * entries to be able to win). Null when this member does not lead or no other voter answers:
 * a silent voter could not take over, and waiting for it would only delay the stop.
 */
export function transferTarget(status: Pick<RaftNodeStatus, 'id' | 'role' | 'conf' | 'progress'>): NodeId | null {
  if (status.role !== 'leader' || status.progress === null) return null;
  let best: { id: NodeId; match: number } | null = null;
  for (const id of status.conf.voters) {
    if (id === status.id) continue;
    const progress = status.progress.get(id);
    if (progress === undefined || !progress.recentActive) continue;
    if (best === null || progress.match > best.match) best = { id, match: progress.match };
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
