/**
 * The `/status` document: what an operator needs to see about one member and, on the leader,
 * about how far each follower has replicated.
 */
import type { NodeId, Role } from '@keel/raft';
import type { KeelServer } from '../server/keel-server';
import { type Health, healthOf } from './health';
import { serverVersion } from './version';

/** What the admin endpoint reads from a member. */
export type AdminTarget = Pick<KeelServer, 'id' | 'node' | 'machine' | 'clientUrl' | 'peerUrl'>;

/** One member of the cluster as this member sees it. */
export interface MemberReport {
  readonly id: NodeId;
  /** Peer URL, if this member knows it. */
  readonly address: string | null;
  readonly role: 'leader' | 'follower' | 'learner';
  /** Only in the leader's report: highest log index known to be on that member. */
  readonly match?: number;
  /** Only in the leader's report: entries that member is behind the leader's last index. */
  readonly lag?: number;
  /** Only in the leader's report: how the leader is replicating to it. */
  readonly replication?: 'probe' | 'replicate' | 'snapshot';
  /** Only in the leader's report: the member answered within the last election timeout. */
  readonly active?: boolean;
}

/** The `snapshots` part of `/status` (durations from capturing the state until the file is durable). */
export interface SnapshotReport {
  readonly taken: number;
  readonly lastMs: number;
  readonly lastBytes: number;
  readonly maxMs: number;
  /** Bytes of the newest snapshot kept in memory for followers that fall behind; 0 once they are read from its file. */
  readonly inMemoryBytes: number;
}

/** The `/status` document. */
export interface StatusReport {
  readonly id: NodeId;
  readonly version: string;
  readonly role: Role;
  readonly term: number;
  readonly leader: NodeId | null;
  readonly leaderUrl: string | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly snapshotIndex: number;
  /** This member's own snapshots: how many, and how long the newest and the longest took. */
  readonly snapshots: SnapshotReport;
  readonly health: Health;
  readonly members: readonly MemberReport[];
  /** Live sessions in the replicated state (cluster-wide, not only this member's clients). */
  readonly sessions: number;
  /** Nodes in the tree, the root included. */
  readonly nodes: number;
  /** Proposals, reads and membership changes waiting in the Raft runtime. */
  readonly pendingRequests: number;
  readonly clientUrl: string | null;
  readonly peerUrl: string | null;
  readonly uptimeMs: number;
}

/** What the report says about the member beyond what the target knows. */
export interface StatusContext {
  /** When the member started (epoch ms). */
  readonly startedAt: number;
  /** The current time (epoch ms). */
  readonly now: number;
  /** The client URL configured for this member, shown instead of the bound address. */
  readonly clientUrl?: string | null;
}

/** Builds the report. */
export function statusReport(target: AdminTarget, context: StatusContext): StatusReport {
  const status = target.node.status();
  const { leaderUrl } = target.node.leaderInfo();
  // The configured (advertised) peer URL when the member was given one, else the bound address.
  const selfUrl = status.peers.get(target.id) ?? orNull(() => target.peerUrl);
  const members: MemberReport[] = [];
  const learners = new Set(status.conf.learners);
  for (const id of [...status.conf.voters, ...status.conf.learners]) {
    const progress = status.progress?.get(id);
    const role = id === status.leader ? 'leader' : learners.has(id) ? 'learner' : 'follower';
    members.push({
      id,
      address: id === target.id ? selfUrl : (status.peers.get(id) ?? null),
      role,
      ...(progress === undefined || id === target.id
        ? {}
        : {
            match: progress.match,
            lag: Math.max(0, status.lastIndex - progress.match),
            replication: progress.state,
            active: progress.recentActive,
          }),
    });
  }
  return {
    id: target.id,
    version: serverVersion,
    role: status.role,
    term: status.term,
    leader: status.leader,
    leaderUrl: status.leader === target.id ? selfUrl : leaderUrl,
    commitIndex: status.commit,
    appliedIndex: status.appliedIndex,
    lastIndex: status.lastIndex,
    snapshotIndex: status.snapshotIndex,
    snapshots: {
      taken: status.stats.snapshotsTaken,
      lastMs: Math.round(status.stats.lastSnapshotMs),
      lastBytes: status.stats.lastSnapshotBytes,
      maxMs: Math.round(status.stats.snapshotMsMax),
      inMemoryBytes: status.stats.snapshotBytesInMemory,
    },
    health: healthOf(status),
    members,
    sessions: target.machine.listSessions().length,
    nodes: target.machine.nodeCount,
    pendingRequests: status.pendingRequests,
    clientUrl: context.clientUrl ?? orNull(() => target.clientUrl),
    peerUrl: selfUrl,
    uptimeMs: Math.max(0, context.now - context.startedAt),
  };
}

function orNull(read: () => string): string | null {
  try {
    return read();
  } catch {
    return null;
  }
}
