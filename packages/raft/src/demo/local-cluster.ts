/**
 * Starts real members in one process: a `DurableLog` in its own directory, a `WsTransport` on
 * 127.0.0.1 and a `RaftNode` each. Shared by the demo, the benchmark and the runtime tests.
 *
 * Members listen on ephemeral ports unless told otherwise, so their addresses are known only
 * once they started; the cluster hands every member the others' addresses afterwards.
 */
import { join } from 'node:path';
import type { ConfState, NodeId } from '../core/types';
import type { StateMachine } from '../runtime/interfaces';
import type { RaftConfigOverrides, RaftNodeLogger } from '../runtime/options';
import { RaftNode } from '../runtime/raft-node';
import { DurableLog, type DurableLogOptions } from '../storage/durable-log';
import { WsTransport } from '../transport';

/** One running member and the parts it is made of. */
export interface LocalMember<Result> {
  readonly id: NodeId;
  readonly dir: string;
  readonly node: RaftNode<Result>;
  readonly storage: DurableLog;
  readonly transport: WsTransport;
  readonly stateMachine: StateMachine<Result>;
  /** `ws://127.0.0.1:port` of this member. */
  readonly url: string;
  readonly port: number;
}

/** How to start one member. */
export interface LocalMemberOptions<Result> {
  readonly id: NodeId;
  /** Directory of its durable log (created if missing). */
  readonly dir: string;
  readonly stateMachine: StateMachine<Result>;
  readonly clusterSecret: string;
  /** Port to listen on; 0 (default) picks a free one. */
  readonly port?: number;
  readonly peers?: ReadonlyMap<NodeId, string>;
  readonly bootstrap?: ConfState;
  readonly tickMs?: number;
  readonly raft?: RaftConfigOverrides;
  readonly snapshotEveryEntries?: number;
  readonly maxPendingRequests?: number;
  readonly requestTimeoutMs?: number;
  readonly storage?: DurableLogOptions;
  readonly logger?: RaftNodeLogger;
}

/** Starts one member on 127.0.0.1. */
export async function startLocalMember<Result>(options: LocalMemberOptions<Result>): Promise<LocalMember<Result>> {
  const storage = await DurableLog.open(options.dir, options.storage);
  const transport = new WsTransport({
    id: options.id,
    listen: { host: '127.0.0.1', port: options.port ?? 0 },
    clusterSecret: options.clusterSecret,
  });
  const node = await RaftNode.start<Result>({
    id: options.id,
    storage,
    transport,
    stateMachine: options.stateMachine,
    ...(options.peers === undefined ? {} : { peers: options.peers }),
    ...(options.bootstrap === undefined ? {} : { bootstrap: options.bootstrap }),
    ...(options.tickMs === undefined ? {} : { tickMs: options.tickMs }),
    ...(options.raft === undefined ? {} : { raft: options.raft }),
    ...(options.snapshotEveryEntries === undefined ? {} : { snapshotEveryEntries: options.snapshotEveryEntries }),
    ...(options.maxPendingRequests === undefined ? {} : { maxPendingRequests: options.maxPendingRequests }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const address = transport.address;
  const url = transport.url;
  if (address === null || url === null) throw new Error(`member ${options.id} has no address after start`);
  return {
    id: options.id,
    dir: options.dir,
    node,
    storage,
    transport,
    stateMachine: options.stateMachine,
    url,
    port: address.port,
  };
}

/** How to start a brand-new cluster. */
export interface LocalClusterOptions<Result>
  extends Omit<LocalMemberOptions<Result>, 'id' | 'dir' | 'stateMachine' | 'port' | 'peers' | 'bootstrap'> {
  readonly ids: readonly NodeId[];
  /** Each member's log goes to `<baseDir>/<dirFor(id)>` (default: the id). */
  readonly baseDir: string;
  readonly dirFor?: (id: NodeId) => string;
  readonly createStateMachine: (id: NodeId) => StateMachine<Result>;
}

/** A brand-new cluster of bootstrapped voters. */
export async function startLocalCluster<Result>(
  options: LocalClusterOptions<Result>,
): Promise<Map<NodeId, LocalMember<Result>>> {
  const { ids, baseDir, createStateMachine, dirFor = (id: NodeId) => id, ...memberOptions } = options;
  const members = new Map<NodeId, LocalMember<Result>>();
  const bootstrap: ConfState = { voters: [...ids], learners: [] };
  try {
    for (const id of ids) {
      const member = await startLocalMember<Result>({
        ...memberOptions,
        id,
        dir: join(baseDir, dirFor(id)),
        stateMachine: createStateMachine(id),
        bootstrap,
      });
      members.set(id, member);
    }
  } catch (error) {
    await Promise.allSettled([...members.values()].map((member) => member.node.stop()));
    throw error;
  }
  const addresses = new Map([...members.values()].map((member) => [member.id, member.url] as const));
  for (const member of members.values()) member.node.setPeerAddresses(addresses);
  return members;
}

/** Polls `condition` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  condition: () => T | undefined | false,
  timeoutMs: number,
  intervalMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits until exactly one running member leads and every running member agrees on it. */
export function waitForLeader<Result>(
  members: Iterable<LocalMember<Result>>,
  timeoutMs: number,
): Promise<LocalMember<Result>> {
  const list = [...members];
  return waitFor(
    'a leader every member agrees on',
    () => {
      const running = list.filter((member) => !member.node.status().stopped);
      const leaders = running.filter((member) => member.node.isLeader());
      const leader = leaders[0];
      if (leaders.length !== 1 || leader === undefined) return undefined;
      return running.every((member) => member.node.leaderInfo().leader === leader.id) ? leader : undefined;
    },
    timeoutMs,
  );
}
