/**
 * One simulated member: its core (absent while crashed), its disk, its state machine and
 * the driver state that the `Ready` contract needs between `ready()` and `advance()`.
 */
import type { Raft, RaftConfig } from '../core/raft';
import type { Message, NodeId, Ready, Role } from '../core/types';
import type { DiskImage, SimDisk } from './disk';
import type { Prng } from './prng';
import type { KvStateMachine } from './state-machine';

/** Lifecycle of a simulated member. */
export type SimNodeStatus = 'running' | 'crashed' | 'removed';

/** A write this incarnation proposed; acknowledged when it applies it. */
export interface OwnProposal {
  readonly id: number;
  readonly key: string;
  readonly term: number;
}

/** Driver state of one member. */
export interface SimNode {
  readonly id: NodeId;
  readonly config: RaftConfig;
  readonly random: Prng;
  readonly disk: SimDisk;
  /** The log as the member sees it: durable plus unsynced writes. */
  view: DiskImage;
  raft: Raft | null;
  sm: KvStateMachine;
  status: SimNodeStatus;
  /** Bumped at every crash so that timers of a dead incarnation are ignored. */
  incarnation: number;
  /** The `Ready` waiting for its fsync, if any. */
  inflight: Ready | null;
  /**
   * Pipelined mode: Readys accepted (early messages sent, entries applied) whose writes wait
   * for an fsync, in order, with the messages held back until then.
   */
  accepted: { readonly ready: Ready; readonly held: readonly Message[] }[];
  role: Role;
  term: number;
  /** Term in which this member last wrote a `Ready` as leader (append-only check). */
  leaderWriteTerm: number;
  /** Term of a fresh leadership whose log still needs the completeness check. */
  completenessTerm: number | null;
  /** Reads answered by the core, waiting until the state machine reaches their index. */
  reads: { context: string; key: string; index: number | null }[];
  proposals: Map<number, OwnProposal>;
  /**
   * Writes this incarnation forwarded to a leader, by write id, with their key. The index is
   * unknown (and a duplicated forward appends twice): acknowledged at the first apply here.
   */
  forwarded: Map<number, string>;
  lastSnapshotIndex: number;
  /** Added by a membership change whose entry has not committed yet. */
  pendingAdd: boolean;
}
