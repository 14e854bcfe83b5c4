/**
 * The pure Raft core: a deterministic state machine driven by `tick()`, `step(message)` and
 * local requests, whose output is collected with `ready()` and acknowledged with `advance()`.
 * No I/O, timers, clocks or ambient randomness: the same code runs in production and in the
 * deterministic simulator. Modelled on etcd-io/raft (roles swap step and tick functions).
 *
 * Decided semantics:
 * - Elections (§5.2): the election timeout is drawn from [electionTicks, 2 * electionTicks)
 *   with `config.random`. With `preVote` a member first asks for pre-votes for term + 1
 *   without changing anyone's term or vote (Ongaro §9.6). With `checkQuorum` a leader that
 *   has not heard from a quorum of voters within an election timeout steps down, and a member
 *   that heard from a leader within the minimum election timeout ignores (pre)vote requests
 *   unless `force` is set (leader lease; a leadership transfer sets `force`).
 * - Replication (§5.3): per-peer progress in probe / replicate / snapshot state; replicate
 *   pipelines appends bounded by `maxInflightAppends`, `maxEntriesPerAppend` and
 *   `maxAppendBytes`. Rejections carry a (hintIndex, hintTerm) to skip whole terms.
 * - Commit (§5.4.2): only an entry of the leader's current term is committed by counting
 *   replicas; a new leader appends an empty Normal entry. The leader counts itself only for
 *   entries the driver has persisted (its match advances in `advance()`).
 * - Output: see `Ready`. Followers acknowledge entries in the same Ready that carries them,
 *   because messages are sent only after that Ready was persisted. `committedEntries` never
 *   include entries above this member's durable index.
 * - Snapshots: `compact()` drops the log up to a snapshot of applied state. A follower behind
 *   the leader's first index receives it in chunks of `snapshotChunkBytes`, one chunk at a
 *   time (stop and wait; a heartbeat response re-sends the chunk awaiting an ack). A chunk at
 *   an unexpected offset is answered with the follower's offset, or with `success: false`
 *   (restart at 0) if it cannot continue. A complete snapshot appears in `Ready.snapshot`.
 * - Membership, one server at a time: a Config entry takes effect on a member when it is
 *   committed, and is handed out in `committedEntries` only once a durable hard state records
 *   that commit (a member forgets an in-memory commit at a crash). A leader accepts one
 *   uncommitted change at a time and none until its own no-op commits. A leader removed from
 *   the configuration steps down when that commits. Learners and non-members never campaign;
 *   only voters' answers count.
 * - Leadership transfer: the target (a voter) is brought up to date, then sent `timeoutNow`;
 *   it campaigns at once without pre-vote, with `force`. Proposals are refused meanwhile;
 *   the transfer is abandoned after an election timeout. A leader whose log holds an
 *   uncommitted removal of itself refuses proposals the same way ('transferring') until the
 *   removal commits, so its log ends at the removal (or its no-op) and the remaining voters
 *   can elect a successor.
 * - ReadIndex: a leader with a commit in its current term records its commit index and
 *   confirms leadership with a numbered heartbeat round (immediately for a single voter, or
 *   from the lease, below). Earlier reads wait for the no-op to commit.
 * - Lease reads (`leaseReads`, requires `checkQuorum`; etcd-like, but the lease is explicit
 *   rather than "until check-quorum steps down", which can outlive the followers' leases by an
 *   election timeout). With lease reads on, every heartbeat is a numbered round. A voter that
 *   heard from a leader refuses non-forced (pre)votes for `electionTicks` of its own ticks,
 *   counted from the arrival and also across a restart (a member restarted with term > 1
 *   honours a lease for its first election timeout), and refuses `campaign()` itself: the
 *   operator's campaign respects the lease like any other candidate, only a `timeoutNow`
 *   election uses `force`. The leader serves a read from its lease while a quorum has acked a
 *   round sent at most `electionTicks - 2` of its ticks ago (one tick of phase on either
 *   side; the SEND time counts, never the ack's arrival), so a new leader must have confirmed
 *   a quorum in its term, besides committing its no-op. No lease at all once a transfer starts
 *   and, after `timeoutNow` was sent, for the rest of the term (a delayed `timeoutNow` can
 *   still make the target win with forced votes): reads then use heartbeat rounds. Assumes
 *   members tick at the same rate; clock drift must be absorbed by the driver's tick length. Followers forward reads to the leader;
 *   a `readIndexResp` with index -1 becomes a 'not-leader' failure. Reads fail with
 *   'no-leader' when no leader is known and with 'stepped-down' when the leader loses office.
 *   Forwarded reads whose messages are lost are not tracked here: the driver times them out.
 * - Forwarding (DESIGN §3, etcd's MsgProp forwarding): `submit`, `submitConfChange` and
 *   `submitTransfer` work on any member. On the leader they are `propose`, `proposeConfChange`
 *   and `transferLeadership` (result with `index`/`term`, `forwardedTo: null`). On a follower
 *   that knows a leader they become a `forward` message to it and return
 *   `{ ok: true, forwardedTo: leader }`; with no known leader they return the refusal
 *   `no-leader`. Forwarded payloads are buffered and leave as few messages as
 *   `maxEntriesPerAppend` / `maxAppendBytes` allow, when the driver next collects a Ready. The
 *   leader takes a forward only in its own term and only from a member of its configuration,
 *   and then exactly like a local request (same limits; refused while transferring; one
 *   pending conf change); whatever it refuses is dropped without an answer, and a non-leader
 *   drops every forward (no re-forwarding, so no loops). A forward never changes terms. The
 *   submitter learns the outcome only by seeing its entry applied: delivery is at most once
 *   per message, a duplicated message appends twice, and the driver times requests out.
 * - Robustness: `step()` ignores or rejects malformed, stale or unknown-sender messages and
 *   never throws on them; it throws only on driver misuse (e.g. `compact` beyond applied).
 *   Lower-term (pre)vote requests are rejected with the current term (Figure 2); lower-term
 *   appends and heartbeats are answered with the current term so a stale leader steps down.
 * - `compact(snapshot)` checks `snapshot.meta.conf` against `confStateAt(index)`, which the
 *   driver should use to fill it in.
 */
import {
  applyConfChange,
  confStatesEqual,
  decodeConfChange,
  emptyConfState,
  encodeConfChange,
  isMember,
  isVoter,
} from './conf-change';
import { LeaderLease } from './lease';
import { entriesWellFormed, isWellFormed } from './message-check';
import { Progress } from './progress';
import { committedIndex, hasQuorum, voteResult } from './quorum';
import { RaftLog } from './raft-log';
import { type PendingRead, ReadOnly } from './read-only';
import { bytesInMemory } from './snapshot-bytes';
import type {
  ConfChange,
  ConfState,
  Entry,
  ForwardRequest,
  HardState,
  Message,
  NodeId,
  ProposeResult,
  RandomSource,
  ReadFailure,
  ReadState,
  Ready,
  Role,
  Snapshot,
  SnapshotBytes,
  SnapshotMeta,
  SoftState,
  StoredSnapshot,
  SubmitResult,
} from './types';
import { EntryType } from './types';

/** Tuning of one member's core. Times are in ticks; the driver decides how long a tick is. */
export interface RaftConfig {
  readonly id: NodeId;
  /** Base election timeout; the actual one is drawn from [electionTicks, 2 * electionTicks). */
  readonly electionTicks: number;
  /** Leader heartbeat interval; must be well below electionTicks. */
  readonly heartbeatTicks: number;
  /** Run a pre-vote round before incrementing the term (§9.6 of Ongaro's thesis). */
  readonly preVote: boolean;
  /** Leader steps down if it has not heard from a quorum within an election timeout. */
  readonly checkQuorum: boolean;
  /** Serve ReadIndex from the leader lease without a heartbeat round; requires checkQuorum. */
  readonly leaseReads: boolean;
  /** Maximum append messages in flight to one follower before waiting for acknowledgements. */
  readonly maxInflightAppends: number;
  /** Maximum entries in one append message. */
  readonly maxEntriesPerAppend: number;
  /** Maximum payload bytes in one append message (at least one entry is always sent). */
  readonly maxAppendBytes: number;
  /** Snapshot data is sent in chunks of at most this many bytes. */
  readonly snapshotChunkBytes: number;
  /**
   * Hand out committed entries for applying before they are durable on this member. Safe
   * because commit already means durable on a quorum; it requires a state machine rebuilt from
   * the durable snapshot and log on restart (a crash may take back entries applied early,
   * which the leader then sends again). Saves a leader whose own fsync is the slowest of the
   * quorum the wait for it before it answers.
   */
  readonly applyBeforeDurable: boolean;
  /** Seeded randomness for election timeouts. */
  readonly random: RandomSource;
}

/** Defaults for everything but `id` and `random`. */
export const defaultRaftConfig: Omit<RaftConfig, 'id' | 'random'> = {
  electionTicks: 10,
  heartbeatTicks: 1,
  preVote: true,
  checkQuorum: true,
  leaseReads: false,
  maxInflightAppends: 256,
  maxEntriesPerAppend: 4096,
  maxAppendBytes: 1 << 20,
  snapshotChunkBytes: 1 << 20,
  applyBeforeDurable: false,
};

/** What the core starts from: exactly what storage holds (all of it is durable). */
export interface RaftInitialState {
  readonly hardState: HardState;
  readonly snapshot: Snapshot | null;
  /** Durable entries after the snapshot, contiguous and ascending. */
  readonly entries: readonly Entry[];
}

/** Replication progress of one peer as seen by the leader. */
export interface PeerProgress {
  readonly match: number;
  readonly next: number;
  readonly state: 'probe' | 'replicate' | 'snapshot';
  readonly inflight: number;
  readonly recentActive: boolean;
  readonly learner: boolean;
}

/** A point-in-time view of a member, for status endpoints and tests. */
export interface RaftStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly vote: NodeId | null;
  readonly leader: NodeId | null;
  readonly commit: number;
  readonly applied: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly snapshotIndex: number;
  readonly conf: ConfState;
  /** Only on the leader. */
  readonly progress: ReadonlyMap<NodeId, PeerProgress> | null;
  readonly transferringTo: NodeId | null;
}

/** Committed entries handed out per Ready, so one Ready never holds an unbounded batch. */
const COMMITTED_ENTRIES_PER_READY_MAX = 4096;

/**
 * Ticks within which a follower whose leader's links closed campaigns (see `Raft.peerGone`):
 * a fifth of the election timeout, at least two so that two survivors can draw apart. With the
 * server's 50 ms ticks and 10-tick timeout: 2 ticks, a campaign 0-100 ms after the close.
 */
export function peerGoneWaitTicks(electionTicks: number): number {
  return Math.max(2, Math.ceil(electionTicks / 5));
}

/** A snapshot being received in chunks. */
interface IncomingSnapshot {
  readonly meta: SnapshotMeta;
  readonly totalBytes: number;
  readonly chunks: Uint8Array[];
  received: number;
}

type MessageBody<M> = M extends Message ? Omit<M, 'from' | 'term'> & { term?: number } : never;

/** The pure Raft state machine. No I/O, timers, clocks or ambient randomness. */
export class Raft {
  private readonly config: RaftConfig;
  private readonly id: NodeId;
  private term: number;
  private vote: NodeId | null;
  private leader: NodeId | null = null;
  private role: Role = 'follower';
  private readonly log: RaftLog;
  private conf: ConfState;
  private readonly progress = new Map<NodeId, Progress>();
  private readonly votes = new Map<NodeId, boolean>();
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private transferTarget: NodeId | null = null;
  /** This leader sent `timeoutNow` in its term: a forced election may depose it at any moment. */
  private timeoutNowSent = false;
  /** Ticks since construction; the clock of the leader lease. */
  private ticks = 0;
  /** Ticks since a leader was last heard from (or since a restart); see `inLease`. */
  private leaseElapsed: number;
  /** This follower's leader closed its last link to us (`peerGone`) and was not heard from since. */
  private leaderGone = false;
  private readonly lease = new LeaderLease();
  private pendingConfIndex = 0;
  /** Index of this leader's uncommitted change removing itself (0 if none); see `refuseProposal`. */
  private leavingIndex = 0;
  private readonly readOnly = new ReadOnly();
  private incoming: IncomingSnapshot | null = null;
  private readonly messages: Message[] = [];
  /** New entries not yet offered to followers; flushed by `ready()`. */
  private appendsPending = false;
  /** Payloads submitted on this follower, waiting to leave in one `forward` to `to`. */
  private forwardBuffer: { readonly to: NodeId; readonly entries: Uint8Array[]; bytes: number } | null = null;
  private readonly readStates: ReadState[] = [];
  private readonly readFailures: ReadFailure[] = [];
  private previousHardState: HardState;
  private previousSoftState: SoftState;
  private stepRole: (m: Message) => void = (m) => this.stepFollower(m);
  private tickRole: () => void = () => this.tickElection();

  constructor(config: RaftConfig, initial: RaftInitialState) {
    checkConfig(config);
    this.config = config;
    this.id = config.id;
    const { hardState, snapshot, entries } = initial;
    // A restarted member may have acknowledged a leader's lease just before it went down; it
    // keeps honouring that lease for a full election timeout. Term 1 is the bootstrap term,
    // in which no leader ever existed.
    this.leaseElapsed = config.leaseReads && hardState.term > 1 ? 0 : config.electionTicks;
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.log = new RaftLog(snapshot, entries, hardState.commit);
    this.conf = snapshot?.meta.conf ?? emptyConfState;
    this.applyConfigEntries(this.log.snapshotIndex + 1, this.log.commit);
    this.previousHardState = this.hardState();
    this.becomeFollower(this.term, null);
    this.previousSoftState = this.softState();
  }

  /** Initial state of a member of a brand-new cluster: entry 1 is the bootstrap config. */
  static bootstrap(conf: ConfState): RaftInitialState {
    const change: ConfChange = { kind: 'bootstrap', conf };
    const checked = applyConfChange(emptyConfState, change);
    if (!checked.ok) throw new Error(`bootstrap: ${checked.error}`);
    return {
      hardState: { term: 1, vote: null, commit: 1 },
      snapshot: null,
      entries: [{ term: 1, index: 1, type: EntryType.Config, data: encodeConfChange(change) }],
    };
  }

  // ---------------------------------------------------------------------------------------
  // Public API

  /** Advances logical time by one tick (election and heartbeat timers). */
  tick(): void {
    this.ticks++;
    this.leaseElapsed++;
    this.tickRole();
  }

  /** Feeds one message from a peer. Stale, unknown or malformed messages are ignored. */
  step(m: Message): void {
    if (!isWellFormed(m, this.id)) return;
    if (m.type === 'forward') {
      // A request, not Raft state: it must not move terms, and only the leader of the
      // sender's own term may take it (a stale one is dropped; the submitter times out).
      if (m.term === this.term) this.stepRole(m);
      return;
    }
    if (m.term > this.term) {
      if (m.type === 'preVote' || m.type === 'vote') {
        // Leader lease: while a leader is heard from, a disruptive candidate gets no answer.
        if (this.inLease() && !m.force) return;
      }
      if (m.type === 'preVote' || (m.type === 'preVoteResp' && m.granted)) {
        // A pre-vote never changes terms; a granted answer carries the term we would campaign in.
      } else if (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot' || m.type === 'commit') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, null);
      }
    } else if (m.term < this.term) {
      if (
        (this.config.checkQuorum || this.config.preVote) &&
        (m.type === 'append' || m.type === 'heartbeat' || m.type === 'commit')
      ) {
        // A stale leader that is cut off from higher terms (pre-vote / lease) would never
        // learn of them otherwise; tell it our term so it steps down.
        this.send({ type: 'appendResp', to: m.from, success: false, index: 0, hintIndex: 0, hintTerm: 0 });
      } else if (m.type === 'preVote' || m.type === 'vote') {
        // Figure 2: reject with our term, so a candidate stuck in a lower term catches up
        // (it may have no other way to hear of it, e.g. if its configuration is stale).
        this.send({ type: m.type === 'preVote' ? 'preVoteResp' : 'voteResp', to: m.from, granted: false });
        // An asker with a longer log may be the only member a quorum can elect, and a campaign
        // of ours (without pre-vote) raises the term just ahead of its next round each time it
        // learns ours: give it that round by starting our election timeout again. Only for a
        // real vote, whose term the asker has entered and raises each round: a pre-candidate
        // that never hears our refusal (a one-way partition) would ask at the same stale term
        // for ever, and must not keep us from campaigning.
        if (
          m.type === 'vote' &&
          this.role !== 'leader' &&
          this.log.isUpToDate(m.lastLogIndex, m.lastLogTerm) &&
          !this.sameLastEntry(m)
        ) {
          this.electionElapsed = 0;
        }
      }
      return;
    }
    if (m.type === 'preVote' || m.type === 'vote') {
      this.handleVoteRequest(m);
      return;
    }
    this.stepRole(m);
  }

  /** Appends application data if this member leads. */
  propose(data: Uint8Array): ProposeResult {
    const refused = this.refuseProposal();
    if (refused) return refused;
    if (data.length > this.config.maxAppendBytes) return this.refusal('too-large');
    const entry = this.appendEntry(EntryType.Normal, data);
    return { ok: true, index: entry.index, term: entry.term };
  }

  /** Proposes one membership change; only one may be uncommitted at a time. */
  proposeConfChange(change: ConfChange): ProposeResult {
    const refused = this.refuseProposal();
    if (refused) return refused;
    if (change.kind === 'bootstrap') return this.refusal('invalid-conf-change');
    if (this.pendingConfIndex > this.log.commit) return this.refusal('conf-change-pending');
    if (!applyConfChange(this.conf, change).ok) return this.refusal('invalid-conf-change');
    const data = encodeConfChange(change);
    if (data.length > this.config.maxAppendBytes) return this.refusal('too-large');
    const entry = this.appendEntry(EntryType.Config, data);
    this.pendingConfIndex = entry.index;
    if (change.kind === 'removeNode' && change.node === this.id) this.leavingIndex = entry.index;
    return { ok: true, index: entry.index, term: entry.term };
  }

  /** Starts handing leadership to `target` (leader only). */
  transferLeadership(target: NodeId): ProposeResult {
    if (this.role !== 'leader') return this.refusal('not-leader');
    const result: ProposeResult = { ok: true, index: this.log.lastIndex(), term: this.term };
    if (target === this.id) return result;
    if (!isVoter(this.conf, target)) return this.refusal('invalid-conf-change');
    if (this.transferTarget !== null) return this.transferTarget === target ? result : this.refusal('transferring');
    const pr = this.progress.get(target);
    if (pr === undefined) return this.refusal('invalid-conf-change');
    this.transferTarget = target;
    // The transfer is abandoned when the election timer fires again.
    this.electionElapsed = 0;
    if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(target);
    else this.maybeSendAppend(target, true);
    return result;
  }

  /**
   * Appends application data through the leader from any member: proposes it here if this
   * member leads, else buffers it for a `forward` to the known leader. `data` must not be
   * empty (an empty entry is the leader's no-op): that is driver misuse and throws.
   */
  submit(data: Uint8Array): SubmitResult {
    if (!(data instanceof Uint8Array) || data.length === 0) throw new Error('submit: data must be non-empty bytes');
    if (this.role === 'leader') return local(this.propose(data));
    const leader = this.forwardTarget();
    if (leader === null) return noLeader;
    if (data.length > this.config.maxAppendBytes) return this.refusal('too-large');
    let buffer = this.forwardBuffer;
    if (
      buffer !== null &&
      (buffer.to !== leader ||
        buffer.entries.length >= this.config.maxEntriesPerAppend ||
        buffer.bytes + data.length > this.config.maxAppendBytes)
    ) {
      this.flushForwardBuffer();
      buffer = null;
    }
    if (buffer === null) {
      buffer = { to: leader, entries: [], bytes: 0 };
      this.forwardBuffer = buffer;
    }
    buffer.entries.push(data);
    buffer.bytes += data.length;
    return { ok: true, forwardedTo: leader };
  }

  /** `proposeConfChange` from any member: on a follower, forwarded to the known leader. */
  submitConfChange(change: ConfChange): SubmitResult {
    if (this.role === 'leader') return local(this.proposeConfChange(change));
    if (change.kind === 'bootstrap') return this.refusal('invalid-conf-change');
    return this.forwardNow({ kind: 'confChange', change });
  }

  /** `transferLeadership` from any member: on a follower, forwarded to the known leader. */
  submitTransfer(target: NodeId): SubmitResult {
    if (this.role === 'leader') return local(this.transferLeadership(target));
    return this.forwardNow({ kind: 'transfer', target });
  }

  /** Requests a linearizable read point; answered in `Ready.readStates` or `readFailures`. */
  readIndex(context: string): void {
    if (this.role === 'leader') this.leaderReads([{ context, from: null }]);
    else if (this.role === 'follower' && this.leader !== null)
      this.send({ type: 'readIndex', to: this.leader, context });
    else this.readFailures.push({ context, reason: 'no-leader', leader: null });
  }

  /**
   * The driver saw the last connection `peer` had open to us close: its process exited (the
   * kernel closes its sockets at once) or it dropped the link. If `peer` is this follower's
   * leader, the follower lets its lease lapse (it grants votes again) and campaigns within
   * `peerGoneWaitTicks` ticks, drawn at random, not after the rest of its election timeout, as
   * ZooKeeper's followers react to a closed leader socket. The random part of a timeout (up to
   * another whole timeout) was the bulk of a failover; a draw over a few ticks is enough to
   * separate the survivors' campaigns mostly, and survivors that do campaign in the same tick
   * settle it in the pre-vote round (`yieldsTo`, a refused lagging pre-candidate makes the
   * other campaign at once). Only a hint: any message from the leader meanwhile restarts the
   * timer as usual, so a link that comes back at once changes nothing; with pre-vote, a leader
   * that is still there for the others keeps its term (they are in its lease and refuse) and
   * its next message makes this member follow it again. Ignored with lease reads, whose safety
   * rests on no member voting within a lease, and by learners.
   */
  peerGone(peer: NodeId): void {
    if (this.role !== 'follower' || this.leader !== peer || this.config.leaseReads || !this.promotable()) return;
    const wait = 1 + Math.floor(this.draw() * peerGoneWaitTicks(this.config.electionTicks));
    // Never below a whole timeout: the lease must lapse, or this member would refuse the votes.
    const elapsed = Math.max(this.config.electionTicks, this.randomizedElectionTimeout - wait);
    this.electionElapsed = Math.max(this.electionElapsed, elapsed);
    this.leaderGone = true;
  }

  /** Starts an election now (tests and operators); ignored by learners and non-members. */
  campaign(): void {
    if (this.role === 'leader' || !this.promotable()) return;
    // With lease reads a member inside a leader's lease must not vote, for itself neither:
    // its vote is part of the quorum the leader's lease counts on.
    if (this.config.leaseReads && this.inLease()) return;
    this.startCampaign(this.config.preVote ? 'pre' : 'election', false);
  }

  /** True when `ready()` would return something to do. */
  hasReady(): boolean {
    return (
      this.messages.length > 0 ||
      this.forwardBuffer !== null ||
      this.readStates.length > 0 ||
      this.readFailures.length > 0 ||
      this.log.pendingSnapshot !== null ||
      this.log.offeredIndex < this.log.lastIndex() ||
      this.log.nextCommittedEntries(1, this.config.applyBeforeDurable).length > 0 ||
      !hardStatesEqual(this.hardState(), this.previousHardState) ||
      !softStatesEqual(this.softState(), this.previousSoftState)
    );
  }

  /** Collects the pending output. Call `advance(ready)` after handling it (see `Ready`). */
  ready(): Ready {
    this.flushPendingAppends();
    this.flushForwardBuffer();
    const hardState = this.hardState();
    const softState = this.softState();
    return {
      softState: softStatesEqual(softState, this.previousSoftState) ? null : softState,
      hardState: hardStatesEqual(hardState, this.previousHardState) ? null : hardState,
      snapshot: this.log.pendingSnapshot,
      entries: this.log.unstableEntries(),
      messages: [...this.messages],
      committedEntries: this.log.nextCommittedEntries(COMMITTED_ENTRIES_PER_READY_MAX, this.config.applyBeforeDurable),
      readStates: [...this.readStates],
      readFailures: [...this.readFailures],
    };
  }

  /** Acknowledges that `ready` was persisted, sent and applied. */
  advance(ready: Ready): void {
    if (ready.snapshot !== null) this.log.snapshotPersisted(ready.snapshot);
    this.takeReady(ready);
    this.readyPersisted(ready);
  }

  /**
   * The first half of `advance`, for a driver that pipelines its writes (Raft thesis §10.2.1):
   * `ready` was taken, its messages are sent or held back (see below), its committed entries
   * applied and its reads delivered, but its entries and hard state are still being written.
   * The next `ready()` no longer carries them. Call `readyPersisted(ready)` once they are
   * durable, in the order the Readys were accepted.
   *
   * Until then the driver holds back every message of this Ready except a leader's own
   * (appends, heartbeats) and a follower's forwards and read requests, and only when the
   * Ready changes neither term nor vote: a follower's acknowledgement may cover entries
   * handed over by an EARLIER Ready that is not durable yet, so held messages go out only
   * once every Ready accepted up to this one is persisted. Throws for a Ready with a snapshot, which must use `advance`.
   */
  acceptReady(ready: Ready): void {
    if (ready.snapshot !== null) {
      throw new Error('acceptReady: a Ready with a snapshot must be handled whole and acknowledged with advance()');
    }
    this.takeReady(ready);
  }

  /** The driver took `ready`: none of its output is handed out again. */
  private takeReady(ready: Ready): void {
    this.log.offeredTo(ready.entries);
    if (ready.hardState !== null) this.previousHardState = ready.hardState;
    if (ready.softState !== null) this.previousSoftState = ready.softState;
    const lastApplied = ready.committedEntries[ready.committedEntries.length - 1];
    if (lastApplied !== undefined) this.log.applied = Math.max(this.log.applied, lastApplied.index);
    this.messages.splice(0, ready.messages.length);
    this.readStates.splice(0, ready.readStates.length);
    this.readFailures.splice(0, ready.readFailures.length);
  }

  /** The second half of `advance`: the entries and hard state of an accepted `ready` are durable. */
  readyPersisted(ready: Ready): void {
    this.log.stableTo(ready.entries);
    if (ready.hardState !== null) this.log.durableCommit = Math.max(this.log.durableCommit, ready.hardState.commit);
    if (this.role === 'leader') {
      // The leader's own copy counts towards the quorum only once it is durable.
      const self = this.progress.get(this.id);
      if (self?.maybeUpdate(Math.min(this.log.stableIndex, this.log.lastIndex())) && this.maybeCommit()) {
        this.broadcastCommit();
      }
    }
  }

  /**
   * Takes a snapshot the driver made at an applied index: log entries up to its index are
   * dropped and the snapshot is kept to send to followers that fall behind, its bytes in memory
   * or read from where the driver stored them.
   */
  compact(snapshot: Snapshot | StoredSnapshot): void {
    const { index, term, conf } = snapshot.meta;
    if (index > this.log.applied) throw new Error(`compact: index ${index} beyond applied ${this.log.applied}`);
    if (index <= this.log.snapshotIndex) return;
    if (this.log.term(index) !== term) throw new Error(`compact: term ${term} does not match the log at ${index}`);
    if (!confStatesEqual(conf, this.confStateAt(index))) {
      throw new Error(`compact: snapshot conf does not match the configuration at index ${index}`);
    }
    this.log.compact(snapshot.meta, 'bytes' in snapshot ? snapshot.bytes : bytesInMemory(snapshot.data));
  }

  /**
   * From now on reads the snapshot at `meta` from `bytes` when a follower needs it (the driver
   * stored it and can let go of its copy in memory). False, and nothing changes, when the log
   * holds another snapshot by now, or `bytes` are not the same length.
   */
  serveSnapshotFrom(meta: SnapshotMeta, bytes: SnapshotBytes): boolean {
    const current = this.log.snapshotMeta;
    const held = this.log.snapshotBytes;
    if (current === null || held === null || current.index !== meta.index || current.term !== meta.term) return false;
    if (held.byteLength !== bytes.byteLength) return false;
    this.log.snapshotBytes = bytes;
    return true;
  }

  /**
   * The membership in force after applying the log up to `index` (between the snapshot and
   * the commit index); what a snapshot taken at `index` must record in its meta.
   */
  confStateAt(index: number): ConfState {
    if (index < this.log.snapshotIndex || index > this.log.commit) {
      throw new Error(`confStateAt: ${index} outside [${this.log.snapshotIndex}, ${this.log.commit}]`);
    }
    let conf = this.log.snapshotMeta?.conf ?? emptyConfState;
    for (let i = this.log.snapshotIndex + 1; i <= index; i++) {
      const next = this.confAfterEntry(conf, this.log.entry(i));
      if (next !== null) conf = next;
    }
    return conf;
  }

  status(): RaftStatus {
    let progress: Map<NodeId, PeerProgress> | null = null;
    if (this.role === 'leader') {
      progress = new Map();
      for (const [id, pr] of this.progress) {
        progress.set(id, {
          match: pr.match,
          next: pr.next,
          state: pr.state,
          inflight: pr.inflights.count,
          recentActive: pr.recentActive,
          learner: pr.learner,
        });
      }
    }
    return {
      id: this.id,
      role: this.role,
      term: this.term,
      vote: this.vote,
      leader: this.leader,
      commit: this.log.commit,
      applied: this.log.applied,
      firstIndex: this.log.firstIndex(),
      lastIndex: this.log.lastIndex(),
      snapshotIndex: this.log.snapshotIndex,
      conf: this.conf,
      progress,
      transferringTo: this.transferTarget,
    };
  }

  // ---------------------------------------------------------------------------------------
  // Roles

  private becomeFollower(term: number, leader: NodeId | null): void {
    const wasLeader = this.role === 'leader';
    if (term !== this.term) {
      this.term = term;
      this.vote = null;
    }
    this.role = 'follower';
    this.leader = leader;
    this.leaderGone = false;
    this.stepRole = (m) => this.stepFollower(m);
    this.tickRole = () => this.tickElection();
    this.resetTimers();
    if (wasLeader) this.failPendingReads();
    this.progress.clear();
  }

  private becomePreCandidate(): void {
    if (this.role === 'leader') throw new Error('invalid transition: leader -> pre-candidate');
    this.role = 'pre-candidate';
    this.leader = null;
    this.stepRole = (m) => this.stepCandidate(m);
    this.tickRole = () => this.tickElection();
    this.resetTimers();
  }

  private becomeCandidate(): void {
    if (this.role === 'leader') throw new Error('invalid transition: leader -> candidate');
    this.term++;
    this.vote = this.id;
    this.role = 'candidate';
    this.leader = null;
    this.stepRole = (m) => this.stepCandidate(m);
    this.tickRole = () => this.tickElection();
    this.resetTimers();
  }

  private becomeLeader(): void {
    if (this.role !== 'candidate') throw new Error(`invalid transition: ${this.role} -> leader`);
    this.role = 'leader';
    this.leader = this.id;
    this.stepRole = (m) => this.stepLeader(m);
    this.tickRole = () => this.tickHeartbeat();
    this.resetTimers();
    this.timeoutNowSent = false;
    this.lease.clear();
    this.progress.clear();
    for (const id of [...this.conf.voters, ...this.conf.learners]) this.addProgress(id, false);
    // A new leader does not know which entries of earlier terms are committed; its own no-op
    // commits them (§5.4.2), and config changes wait for it.
    this.leavingIndex = this.uncommittedRemovalOfSelf();
    this.appendEntry(EntryType.Normal, new Uint8Array(0));
    this.pendingConfIndex = this.log.lastIndex();
  }

  /**
   * Index of the last uncommitted entry that removes this member (0 if none): a leader elected
   * with its predecessor's removal of it in the log is leaving too (see `refuseProposal`).
   */
  private uncommittedRemovalOfSelf(): number {
    for (let index = this.log.lastIndex(); index > this.log.commit; index--) {
      const entry = this.log.entry(index);
      if (entry === undefined || entry.type !== EntryType.Config) continue;
      const change = decodeConfChange(entry.data);
      if (change?.kind === 'removeNode' && change.node === this.id) return index;
    }
    return 0;
  }

  private sameLastEntry(m: { readonly lastLogIndex: number; readonly lastLogTerm: number }): boolean {
    return m.lastLogIndex === this.log.lastIndex() && m.lastLogTerm === this.log.lastTerm();
  }

  private resetTimers(): void {
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.config.electionTicks + Math.floor(this.draw() * this.config.electionTicks);
    this.votes.clear();
    this.transferTarget = null;
  }

  /** The configured random source, held to [0, 1) whatever it returns. */
  private draw(): number {
    const draw = this.config.random();
    return Number.isFinite(draw) ? Math.min(Math.max(draw, 0), 0.999999) : 0;
  }

  private promotable(): boolean {
    return isVoter(this.conf, this.id);
  }

  private inLease(): boolean {
    if (!this.config.checkQuorum) return false;
    if (this.leader !== null && this.electionElapsed < this.config.electionTicks) return true;
    // `electionElapsed` restarts with every role change; lease reads need the time since the
    // leader was actually heard from, which also survives a restart.
    return this.config.leaseReads && this.leaseElapsed < this.config.electionTicks;
  }

  private heardFromLeader(leader: NodeId): void {
    this.leaderGone = false;
    this.electionElapsed = 0;
    this.leaseElapsed = 0;
    this.leader = leader;
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.startCampaign(this.config.preVote ? 'pre' : 'election', false);
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.config.electionTicks) {
      this.electionElapsed = 0;
      if (this.config.checkQuorum) {
        const active = hasQuorum(
          this.conf.voters,
          (id) => id === this.id || this.progress.get(id)?.recentActive === true,
        );
        for (const [id, pr] of this.progress) pr.recentActive = id === this.id;
        if (!active) {
          this.becomeFollower(this.term, null);
          return;
        }
      }
      this.transferTarget = null;
    }
    if (this.heartbeatElapsed >= this.config.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      // Every lease-renewing heartbeat is a numbered round, so an acknowledgement tells which
      // send it answers (a delayed or duplicated old one must not extend the lease).
      if (this.config.leaseReads) this.readOnly.nextRound();
      this.broadcastHeartbeat();
    }
  }

  private startCampaign(kind: 'pre' | 'election', force: boolean): void {
    if (kind === 'pre') this.becomePreCandidate();
    else this.becomeCandidate();
    const voteTerm = kind === 'pre' ? this.term + 1 : this.term;
    this.votes.set(this.id, true);
    if (voteResult(this.conf.voters, this.votes) === 'won') {
      if (kind === 'pre') this.startCampaign('election', force);
      else this.becomeLeader();
      return;
    }
    for (const voter of this.conf.voters) {
      if (voter === this.id) continue;
      this.send({
        type: kind === 'pre' ? 'preVote' : 'vote',
        to: voter,
        term: voteTerm,
        lastLogIndex: this.log.lastIndex(),
        lastLogTerm: this.log.lastTerm(),
        force,
      });
    }
  }

  private handleVoteRequest(m: Extract<Message, { type: 'preVote' | 'vote' }>): void {
    const responseType = m.type === 'preVote' ? 'preVoteResp' : 'voteResp';
    const canVote =
      this.vote === m.from ||
      (this.vote === null && this.leader === null) ||
      (m.type === 'preVote' && m.term > this.term);
    if (canVote && this.log.isUpToDate(m.lastLogIndex, m.lastLogTerm)) {
      this.send({ type: responseType, to: m.from, term: m.term, granted: true });
      if (m.type === 'vote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      } else if (this.yieldsTo(m)) {
        this.becomeFollower(this.term, null);
      }
    } else {
      this.send({ type: responseType, to: m.from, granted: false });
      // A pre-candidate whose log is behind ours can never win. When our leader's process is
      // gone (its links closed: `peerGone`), campaign now instead of waiting for our own
      // timeout: after a leader crash under load the follower that lags often times out first,
      // and its refused pre-vote used to cost the cluster the rest of the other survivor's
      // timeout (up to an election timeout more). Not on a lapsed lease alone: a leader that is
      // only slow for a while would then lose its lead to every lagging member's pre-vote.
      if (m.type === 'preVote' && canVote && this.leaderGone && this.role === 'follower' && this.promotable()) {
        this.startCampaign(this.config.preVote ? 'pre' : 'election', false);
      }
    }
  }

  /**
   * True when this pre-candidate and the one asking run the same pre-vote round with equal logs
   * and the asker's id is the greater: having granted, this member gives up its own round, so
   * that only one of two members campaigning at once goes on. Otherwise both grant each other,
   * both campaign for real, each keeps its own vote, and the vote splits until the next
   * randomised timeout (500-1,000 ms by default). Members started together tick in step, so
   * after a leader crash both survivors' timers fire in the same tick about once in ten
   * failovers. Giving up a pre-vote round is always safe; a stale pre-candidate (one whose round
   * went unanswered) still grants and is granted as before, so nobody waits on it.
   */
  private yieldsTo(m: Extract<Message, { type: 'preVote' | 'vote' }>): boolean {
    return (
      m.type === 'preVote' &&
      this.role === 'pre-candidate' &&
      m.term === this.term + 1 &&
      m.lastLogTerm === this.log.lastTerm() &&
      m.lastLogIndex === this.log.lastIndex() &&
      m.from > this.id
    );
  }

  // ---------------------------------------------------------------------------------------
  // Step functions

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'append':
        this.heardFromLeader(m.from);
        this.handleAppend(m);
        return;
      case 'heartbeat':
        this.heardFromLeader(m.from);
        this.handleHeartbeat(m);
        return;
      case 'commit':
        this.heardFromLeader(m.from);
        // As an empty append: a log matching the leader's at `index` matches it up to there
        // (Log Matching); if it does not, the next append sorts that out.
        if (m.index <= this.log.lastIndex() && this.log.matchTerm(m.index, m.logTerm)) {
          this.commitTo(Math.min(m.commit, m.index));
        }
        return;
      case 'snapshot':
        this.heardFromLeader(m.from);
        this.handleSnapshot(m);
        return;
      case 'timeoutNow':
        if (this.promotable()) this.startCampaign('election', true);
        return;
      case 'readIndexResp':
        if (m.index < 0) this.readFailures.push({ context: m.context, reason: 'not-leader', leader: this.leader });
        else this.readStates.push({ context: m.context, index: m.index });
        return;
      case 'readIndex':
        this.send({ type: 'readIndexResp', to: m.from, context: m.context, index: -1 });
        return;
      default:
        return;
    }
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot':
      case 'commit':
        // Someone won this term (§5.2).
        this.becomeFollower(m.term, m.from);
        this.stepFollower(m);
        return;
      case 'preVoteResp':
      case 'voteResp': {
        const expected = this.role === 'pre-candidate' ? 'preVoteResp' : 'voteResp';
        if (m.type !== expected || !isVoter(this.conf, m.from)) return;
        // A pre-vote grant carries the term we would campaign in; anything else is stale.
        if (m.granted && m.term !== (this.role === 'pre-candidate' ? this.term + 1 : this.term)) return;
        this.votes.set(m.from, m.granted);
        const result = voteResult(this.conf.voters, this.votes);
        if (result === 'won') {
          if (this.role === 'pre-candidate') this.startCampaign('election', false);
          else this.becomeLeader();
        } else if (result === 'lost') {
          this.becomeFollower(this.term, null);
        }
        return;
      }
      case 'readIndex':
        this.send({ type: 'readIndexResp', to: m.from, context: m.context, index: -1 });
        return;
      default:
        return;
    }
  }

  private stepLeader(m: Message): void {
    switch (m.type) {
      case 'appendResp':
        this.handleAppendResponse(m);
        return;
      case 'heartbeatResp':
        this.handleHeartbeatResponse(m);
        return;
      case 'snapshotResp':
        this.handleSnapshotResponse(m);
        return;
      case 'readIndex':
        this.leaderReads([{ context: m.context, from: m.from }]);
        return;
      case 'forward':
        this.handleForward(m);
        return;
      default:
        return;
    }
  }

  /**
   * Takes a follower's forwarded request exactly as if it were made here; anything refused is
   * dropped, because the submitter learns outcomes only from the applied log anyway.
   */
  private handleForward(m: Extract<Message, { type: 'forward' }>): void {
    // Only members write through this leader: a removed member's forwards are stale.
    if (!this.progress.has(m.from)) return;
    const { request } = m;
    switch (request.kind) {
      case 'entries':
        for (const data of request.entries) this.propose(data);
        return;
      case 'confChange':
        this.proposeConfChange(request.change);
        return;
      case 'transfer':
        this.transferLeadership(request.target);
        return;
    }
  }

  /** The leader a follower forwards to, or null (candidates and leaderless followers). */
  private forwardTarget(): NodeId | null {
    return this.role === 'follower' ? this.leader : null;
  }

  private forwardNow(request: ForwardRequest): SubmitResult {
    const leader = this.forwardTarget();
    if (leader === null) return noLeader;
    // Keep the order of submits: payloads buffered earlier leave first.
    this.flushForwardBuffer();
    this.send({ type: 'forward', to: leader, request });
    return { ok: true, forwardedTo: leader };
  }

  private flushForwardBuffer(): void {
    const buffer = this.forwardBuffer;
    if (buffer === null) return;
    this.forwardBuffer = null;
    // Sent to the leader the payloads were promised to, even if another leader is known now:
    // the old one drops them if it no longer leads, which is what a lost message would do.
    this.send({ type: 'forward', to: buffer.to, request: { kind: 'entries', entries: buffer.entries } });
  }

  // ---------------------------------------------------------------------------------------
  // Follower side of replication

  private handleAppend(m: Extract<Message, { type: 'append' }>): void {
    if (!entriesWellFormed(m.entries, m.prevIndex, m.prevTerm, m.term)) return;
    let prevIndex = m.prevIndex;
    let prevTerm = m.prevTerm;
    let entries = m.entries;
    const commit = this.log.commit;
    if (prevIndex < commit) {
      // Committed entries cannot differ (Leader Completeness); skip them, they may be compacted.
      entries = entries.filter((e) => e.index > commit);
      if (entries.length === 0) {
        this.send({ type: 'appendResp', to: m.from, success: true, index: commit, hintIndex: 0, hintTerm: 0 });
        return;
      }
      prevIndex = commit;
      prevTerm = this.log.term(commit) ?? 0;
      const first = entries[0];
      if (first !== undefined && first.term < prevTerm) return;
    }
    if (!this.log.matchTerm(prevIndex, prevTerm)) {
      // §5.3 with etcd's optimisation: point the leader at the last index whose term could match.
      const hint = this.log.findConflictByTerm(Math.min(prevIndex, this.log.lastIndex()), prevTerm);
      this.send({
        type: 'appendResp',
        to: m.from,
        success: false,
        index: m.prevIndex,
        hintIndex: hint.index,
        hintTerm: hint.term,
      });
      return;
    }
    const conflict = this.log.findConflict(entries);
    if (conflict !== 0) {
      if (conflict <= this.log.commit) return;
      this.log.truncateAndAppend(entries, conflict);
    }
    const lastNew = prevIndex + entries.length;
    this.commitTo(Math.min(m.commit, lastNew));
    this.send({ type: 'appendResp', to: m.from, success: true, index: lastNew, hintIndex: 0, hintTerm: 0 });
  }

  private handleHeartbeat(m: Extract<Message, { type: 'heartbeat' }>): void {
    this.commitTo(Math.min(m.commit, this.log.lastIndex()));
    this.send({ type: 'heartbeatResp', to: m.from, readRound: m.readRound });
  }

  private handleSnapshot(m: Extract<Message, { type: 'snapshot' }>): void {
    const { meta } = m;
    const reply = (success: boolean, offset: number, done: boolean) =>
      this.send({ type: 'snapshotResp', to: m.from, snapshotIndex: meta.index, offset, success, done });
    if (meta.index <= this.log.commit) {
      // Already have everything it covers; let the leader move on.
      this.incoming = null;
      reply(true, m.totalBytes, true);
      return;
    }
    let incoming = this.incoming;
    if (incoming === null || !sameMeta(incoming.meta, meta) || incoming.totalBytes !== m.totalBytes) {
      if (m.offset !== 0) {
        this.incoming = null;
        reply(false, 0, false);
        return;
      }
      incoming = { meta, totalBytes: m.totalBytes, chunks: [], received: 0 };
      this.incoming = incoming;
    }
    if (m.offset !== incoming.received) {
      if (m.offset < incoming.received) reply(true, incoming.received, false);
      else {
        this.incoming = null;
        reply(false, 0, false);
      }
      return;
    }
    if (
      incoming.received + m.chunk.length > incoming.totalBytes ||
      (m.done && incoming.received + m.chunk.length !== incoming.totalBytes)
    ) {
      this.incoming = null;
      reply(false, 0, false);
      return;
    }
    incoming.chunks.push(m.chunk.slice());
    incoming.received += m.chunk.length;
    if (!m.done) {
      reply(true, incoming.received, false);
      return;
    }
    this.incoming = null;
    const data = concatChunks(incoming.chunks, incoming.totalBytes);
    const conf: ConfState = { voters: [...meta.conf.voters], learners: [...meta.conf.learners] };
    this.log.restore({ meta: { index: meta.index, term: meta.term, conf }, data });
    this.conf = conf;
    reply(true, incoming.totalBytes, true);
  }

  // ---------------------------------------------------------------------------------------
  // Leader side of replication

  private handleAppendResponse(m: Extract<Message, { type: 'appendResp' }>): void {
    const pr = this.progress.get(m.from);
    if (pr === undefined) return;
    pr.recentActive = true;
    if (!m.success) {
      const hint = m.hintTerm > 0 ? this.log.findConflictByTerm(m.hintIndex, m.hintTerm).index : m.hintIndex;
      if (pr.maybeDecrTo(m.index, hint)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.maybeSendAppend(m.from, true);
      }
      return;
    }
    if (m.index > this.log.lastIndex()) return;
    const wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index)) return;
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);
    if (this.maybeCommit()) this.broadcastCommit();
    else if (wasPaused) this.maybeSendAppend(m.from, true);
    if (this.role !== 'leader') return;
    while (this.maybeSendAppend(m.from, false)) {}
    if (m.from === this.transferTarget && pr.match === this.log.lastIndex()) this.sendTimeoutNow(m.from);
  }

  private handleHeartbeatResponse(m: Extract<Message, { type: 'heartbeatResp' }>): void {
    const pr = this.progress.get(m.from);
    if (pr === undefined) return;
    pr.recentActive = true;
    pr.probeSent = false;
    if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
    if (pr.state === 'snapshot') this.sendSnapshotChunk(m.from, pr);
    else if (pr.match < this.log.lastIndex()) this.maybeSendAppend(m.from, true);
    if (m.readRound > 0 && !pr.learner) {
      this.readOnly.ack(m.from, m.readRound);
      this.serveConfirmedReads();
    }
  }

  private handleSnapshotResponse(m: Extract<Message, { type: 'snapshotResp' }>): void {
    const pr = this.progress.get(m.from);
    if (pr === undefined) return;
    pr.recentActive = true;
    if (pr.state !== 'snapshot' || m.snapshotIndex !== pr.snapshotIndex) return;
    if (m.done && m.success) {
      if (m.snapshotIndex > this.log.lastIndex()) return;
      pr.maybeUpdate(m.snapshotIndex);
      pr.becomeReplicate();
      if (this.maybeCommit()) this.broadcastCommit();
      if (this.role !== 'leader') return;
      while (this.maybeSendAppend(m.from, true)) {
        if (pr.next > this.log.lastIndex()) break;
      }
      return;
    }
    if (!m.success) {
      pr.snapshotOffset = 0;
      this.sendSnapshotChunk(m.from, pr);
    } else if (m.offset > pr.snapshotOffset) {
      // Only forward progress counts, so duplicated responses do not duplicate chunks.
      pr.snapshotOffset = m.offset;
      this.sendSnapshotChunk(m.from, pr);
    }
  }

  /** Sends the next append to `to` if its progress allows; returns true if one was sent. */
  private maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.progress.get(to);
    if (pr === undefined || to === this.id || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    if (prevTerm === undefined) {
      const meta = this.log.snapshotMeta;
      if (meta === null) return false;
      pr.becomeSnapshot(meta.index, meta.term);
      this.sendSnapshotChunk(to, pr);
      return true;
    }
    const entries = this.log.slice(
      pr.next,
      this.log.lastIndex(),
      this.config.maxEntriesPerAppend,
      this.config.maxAppendBytes,
    );
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send({ type: 'append', to, prevIndex, prevTerm, entries, commit: this.log.commit });
    pr.sentEntries(entries);
    return true;
  }

  private sendSnapshotChunk(to: NodeId, pr: Progress): void {
    const meta = this.log.snapshotMeta;
    const bytes = this.log.snapshotBytes;
    if (meta === null || bytes === null) return;
    if (meta.index !== pr.snapshotIndex || meta.term !== pr.snapshotTerm) {
      // The leader compacted again meanwhile: send the newer snapshot from the start.
      pr.becomeSnapshot(meta.index, meta.term);
    }
    const offset = Math.min(pr.snapshotOffset, bytes.byteLength);
    const chunk = bytes.read(offset, this.config.snapshotChunkBytes);
    if (chunk === null) return;
    this.send({
      type: 'snapshot',
      to,
      meta,
      offset,
      totalBytes: bytes.byteLength,
      chunk,
      done: offset + chunk.length >= bytes.byteLength,
    });
  }

  private broadcastAppend(sendIfEmpty: boolean): void {
    for (const id of this.progress.keys()) if (id !== this.id) this.maybeSendAppend(id, sendIfEmpty);
  }

  /**
   * Tells every follower that the commit index moved. A follower in replicate state gets it
   * on an append if entries are due, else in a `commit` message, which is not answered: an
   * empty append would be, and those answers made up a fifth of the messages of every write.
   * Other states get an (answered) append as before, which also moves a probe along.
   */
  private broadcastCommit(): void {
    for (const [id, pr] of this.progress) {
      if (id === this.id) continue;
      if (pr.state !== 'replicate') {
        this.maybeSendAppend(id, true);
        continue;
      }
      if (this.maybeSendAppend(id, false)) continue;
      const index = pr.next - 1;
      const logTerm = this.log.term(index);
      const commit = Math.min(index, this.log.commit);
      if (commit <= pr.commitSent || logTerm === undefined) continue;
      pr.commitSent = commit;
      this.send({ type: 'commit', to: id, index, logTerm, commit });
    }
  }

  private broadcastHeartbeat(): void {
    if (this.config.leaseReads) this.lease.recordSent(this.readOnly.round, this.ticks, this.config.electionTicks);
    for (const [id, pr] of this.progress) {
      if (id === this.id) continue;
      // Never tell a follower to commit past what it is known to hold.
      const commit = Math.min(pr.match, this.log.commit);
      this.send({ type: 'heartbeat', to: id, commit, readRound: this.readOnly.round });
    }
  }

  private appendEntry(type: EntryType, data: Uint8Array): Entry {
    const entry: Entry = { term: this.term, index: this.log.lastIndex() + 1, type, data };
    this.log.append(entry);
    // Followers get new entries when the driver next collects a Ready, so that a burst of
    // proposals between two Ready cycles leaves as one append per follower, not one each.
    this.appendsPending = true;
    return entry;
  }

  private flushPendingAppends(): void {
    if (!this.appendsPending) return;
    this.appendsPending = false;
    if (this.role === 'leader') this.broadcastAppend(false);
  }

  /** Advances the commit index to what a quorum holds in the current term; true if it moved. */
  private maybeCommit(): boolean {
    let moved = false;
    while (this.role === 'leader') {
      const index = committedIndex(this.conf.voters, (id) => this.progress.get(id)?.match ?? 0);
      if (index <= this.log.commit || this.log.term(index) !== this.term) break;
      this.commitTo(index);
      moved = true;
    }
    return moved;
  }

  private commitTo(index: number): void {
    if (index <= this.log.commit) return;
    const from = this.log.commit + 1;
    const hadCurrentTermCommit = this.log.term(this.log.commit) === this.term;
    this.log.commit = index;
    this.applyConfigEntries(from, index);
    if (this.role === 'leader' && !hadCurrentTermCommit && this.log.term(index) === this.term) {
      const waiting = this.readOnly.takeWaitingForCommit();
      if (waiting.length > 0) this.leaderReads(waiting);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Membership

  private applyConfigEntries(from: number, to: number): void {
    for (let index = from; index <= to; index++) {
      const next = this.confAfterEntry(this.conf, this.log.entry(index));
      if (next === null) continue;
      this.conf = next;
      this.onConfChanged();
    }
  }

  private confAfterEntry(conf: ConfState, entry: Entry | undefined): ConfState | null {
    if (entry === undefined || entry.type !== EntryType.Config) return null;
    const change = decodeConfChange(entry.data);
    if (change === null) return null;
    const applied = applyConfChange(conf, change);
    return applied.ok ? applied.conf : null;
  }

  private onConfChanged(): void {
    if (this.role !== 'leader') {
      if (this.role !== 'follower' && !this.promotable()) this.becomeFollower(this.term, null);
      return;
    }
    for (const id of [...this.progress.keys()]) if (!isMember(this.conf, id)) this.progress.delete(id);
    for (const id of [...this.conf.voters, ...this.conf.learners]) {
      const pr = this.progress.get(id);
      if (pr === undefined) this.addProgress(id, true);
      else pr.learner = !isVoter(this.conf, id);
    }
    if (this.transferTarget !== null && !isVoter(this.conf, this.transferTarget)) this.transferTarget = null;
    if (!isVoter(this.conf, this.id)) {
      // Tell everyone the removal committed before leaving office, so they stop counting us.
      this.broadcastAppend(true);
      this.becomeFollower(this.term, null);
      return;
    }
    this.serveConfirmedReads();
  }

  private addProgress(id: NodeId, probeNow: boolean): void {
    // A member added by a conf change gets one election timeout of grace before check-quorum
    // counts it as silent; at election every member has to answer within the first timeout.
    const pr = new Progress(
      this.log.lastIndex() + 1,
      this.config.maxInflightAppends,
      !isVoter(this.conf, id),
      probeNow || id === this.id,
    );
    if (id === this.id) {
      pr.maybeUpdate(Math.min(this.log.stableIndex, this.log.lastIndex()));
      pr.becomeReplicate();
    }
    this.progress.set(id, pr);
    if (probeNow && id !== this.id) this.maybeSendAppend(id, true);
  }

  // ---------------------------------------------------------------------------------------
  // ReadIndex

  private leaderReads(reads: readonly PendingRead[]): void {
    if (this.log.term(this.log.commit) !== this.term) {
      for (const read of reads) this.readOnly.waitForCommit(read);
      return;
    }
    const index = this.log.commit;
    const soleVoter = this.conf.voters.length === 1 && this.conf.voters[0] === this.id;
    if (soleVoter || this.leaseValid()) {
      for (const read of reads) this.answerRead(read, index);
      return;
    }
    this.readOnly.startRound(reads, index);
    this.broadcastHeartbeat();
  }

  /**
   * True while a quorum of voters is known to refuse votes to anyone else: each acknowledged a
   * heartbeat round sent at most `electionTicks - 2` ticks ago (one tick for the phase of the
   * leader's clock, one for the follower's). Never during a transfer, whose forced election
   * ignores leases.
   */
  private leaseValid(): boolean {
    if (!this.config.leaseReads || this.transferTarget !== null || this.timeoutNowSent) return false;
    const round = committedIndex(this.conf.voters, (id) =>
      id === this.id ? this.readOnly.round : this.readOnly.ackedRound(id),
    );
    if (round === 0) return false;
    const sentAt = this.lease.sentAt(round);
    return sentAt !== undefined && this.ticks - sentAt <= this.config.electionTicks - 2;
  }

  private sendTimeoutNow(to: NodeId): void {
    this.timeoutNowSent = true;
    this.send({ type: 'timeoutNow', to });
  }

  private serveConfirmedReads(): void {
    for (const read of this.readOnly.takeConfirmed(this.conf.voters, this.id)) this.answerRead(read, read.index);
  }

  private answerRead(read: PendingRead, index: number): void {
    if (read.from === null) this.readStates.push({ context: read.context, index });
    else this.send({ type: 'readIndexResp', to: read.from, context: read.context, index });
  }

  private failPendingReads(): void {
    for (const read of this.readOnly.takeAll()) {
      if (read.from === null) this.readFailures.push({ context: read.context, reason: 'stepped-down', leader: null });
      else this.send({ type: 'readIndexResp', to: read.from, context: read.context, index: -1 });
    }
  }

  // ---------------------------------------------------------------------------------------
  // Output

  private send(body: MessageBody<Message>): void {
    this.messages.push({ term: this.term, ...body, from: this.id } as Message);
  }

  private refuseProposal(): ProposeResult | null {
    if (this.role !== 'leader') return this.refusal('not-leader');
    if (this.transferTarget !== null) return this.refusal('transferring');
    // A leader whose own removal is pending (proposed by itself or by a predecessor) is
    // handing over too. Entries after the removal could only commit without it, and would make
    // its log more up to date than the voters that must elect its successor: with two voters,
    // the survivor still needs the removed leader's vote until it learns of the commit, and
    // would never get it (FOUND-BUGS #4). Its own no-op is the one entry it still appends.
    if (this.leavingIndex > this.log.commit) return this.refusal('transferring');
    return null;
  }

  private refusal(reason: Extract<ProposeResult, { ok: false }>['reason']): Extract<ProposeResult, { ok: false }> {
    return { ok: false, reason, leader: this.leader };
  }

  private hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.commit };
  }

  private softState(): SoftState {
    return { role: this.role, term: this.term, leader: this.leader };
  }
}

const noLeader: SubmitResult = { ok: false, reason: 'no-leader', leader: null };

/** A local proposal's result as a submit result. */
function local(result: ProposeResult): SubmitResult {
  return result.ok ? { ...result, forwardedTo: null } : result;
}

function checkConfig(config: RaftConfig): void {
  const positive = (name: keyof RaftConfig) => {
    const value = config[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new Error(`raft config: ${name} must be a positive integer, got ${String(value)}`);
    }
  };
  for (const name of [
    'electionTicks',
    'heartbeatTicks',
    'maxInflightAppends',
    'maxEntriesPerAppend',
    'maxAppendBytes',
    'snapshotChunkBytes',
  ] as const) {
    positive(name);
  }
  if (config.heartbeatTicks >= config.electionTicks)
    throw new Error('raft config: heartbeatTicks must be < electionTicks');
  if (config.leaseReads && !config.checkQuorum) throw new Error('raft config: leaseReads requires checkQuorum');
  if (typeof config.id !== 'string' || config.id.length === 0) throw new Error('raft config: id must be non-empty');
}

function sameMeta(a: SnapshotMeta, b: SnapshotMeta): boolean {
  return a.index === b.index && a.term === b.term;
}

function concatChunks(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function hardStatesEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

function softStatesEqual(a: SoftState, b: SoftState): boolean {
  return a.role === b.role && a.term === b.term && a.leader === b.leader;
}
