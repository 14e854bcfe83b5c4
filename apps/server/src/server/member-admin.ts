/**
 * The admin requests of the client protocol (list, add, promote, remove members, move
 * leadership), answered from the Raft runtime. Membership changes go through the leader;
 * `RaftNode` forwards them from a follower where it can, else they fail with `NotLeader`.
 */
import { BadArgumentsError, type MemberInfo, type RequestOf, type ServerMessage } from '@keel/protocol';
import type { RaftNode } from '@keel/raft';
import type { ApplyOutcome } from '../state/results';

/** The admin requests. */
export type AdminRequest = RequestOf<'listMembers' | 'addLearner' | 'promote' | 'removeMember' | 'transferLeadership'>;

/** What the admin requests need from their member. */
export interface AdminHost {
  readonly node: RaftNode<ApplyOutcome>;
  /** This member's own peer URL (the runtime knows only the others'). */
  readonly peerUrl: string;
  /** The applied revision to put in answers. */
  revision(): number;
}

/** The cluster's members as this member sees them; progress only when it leads. */
export function listMembers(host: AdminHost): { leaderId: string | null; members: MemberInfo[] } {
  const status = host.node.status();
  const member = (id: string, role: MemberInfo['role']): MemberInfo => {
    const address = id === status.id ? host.peerUrl : (status.peers.get(id) ?? '');
    const progress = status.progress?.get(id);
    if (progress === undefined) return { id, address, role };
    return { id, address, role, matchIndex: progress.match, lag: Math.max(0, status.lastIndex - progress.match) };
  };
  return {
    leaderId: status.leader,
    members: [
      ...status.conf.voters.map((id) => member(id, 'voter')),
      ...status.conf.learners.map((id) => member(id, 'learner')),
    ],
  };
}

/** Runs one admin request and returns its answer (errors are thrown, typed). */
export async function runAdmin(host: AdminHost, request: AdminRequest): Promise<ServerMessage> {
  const { node } = host;
  const xid = request.xid;
  switch (request.op) {
    case 'listMembers':
      return { type: 'listMembers', xid, revision: host.revision(), ...listMembers(host) };
    case 'addLearner':
      await node.addLearner(request.memberId, request.address);
      return { type: 'addLearner', xid, revision: host.revision() };
    case 'promote':
      await node.promote(request.memberId);
      return { type: 'promote', xid, revision: host.revision() };
    case 'removeMember':
      await node.removeMember(request.memberId);
      return { type: 'removeMember', xid, revision: host.revision() };
    case 'transferLeadership': {
      const target = request.memberId ?? bestSuccessor(node);
      await node.transferLeadership(target);
      return { type: 'transferLeadership', xid, revision: host.revision(), leaderId: target };
    }
  }
}

/**
 * The voter to hand leadership to when none is named: on the leader, the other voter with the
 * most of the log; on a follower (which sees no progress), itself if it votes, else another
 * voter. Raft lets the target catch up before it takes over either way.
 */
function bestSuccessor(node: RaftNode<ApplyOutcome>): string {
  const status = node.status();
  const others = status.conf.voters.filter((id) => id !== status.leader);
  if (status.progress === null) {
    const target = others.includes(status.id) ? status.id : others[0];
    if (target === undefined) throw new BadArgumentsError('there is no other voter to hand leadership to');
    return target;
  }
  let best: string | null = null;
  let bestMatch = -1;
  for (const id of others) {
    const match = status.progress.get(id)?.match ?? -1;
    if (match > bestMatch) {
      best = id;
      bestMatch = match;
    }
  }
  if (best === null) throw new BadArgumentsError('there is no other voter to hand leadership to');
  return best;
}
