/**
 * `RaftNode`: drives the pure `Raft` core with real timers, durable storage, a transport and the
 * user's state machine.
 *
 * Everything that reaches the core (ticks, inbound messages, proposals, reads) is queued and fed
 * to it at the start of a Ready cycle. A cycle queues its writes and does not wait for their
 * fsync (see `handleReady`): the storage runs one flush at a time, and every write queued while
 * one runs goes into the next (group commit), so a leader keeps appending, replicating and
 * counting acks while its earlier entries are being made durable.
 *
 * Requests that any member may make (`submit`, membership changes, `transferLeadership`) go
 * through the core's `submit*` calls, which decide at feed time whether this member leads (do
 * it here) or forwards to the leader it knows; so a leadership change between the call and the
 * cycle never turns into a spurious refusal.
 */
import { EventEmitter } from 'node:events';
import { decodeConfChange, emptyConfState } from '../core/conf-change';
import { defaultRaftConfig, Raft, type RaftConfig } from '../core/raft';
import { bytesInChunks, bytesInMemory } from '../core/snapshot-bytes';
import type {
  ConfState,
  Entry,
  HardState,
  MemberChange,
  Message,
  NodeId,
  ProposeResult,
  Ready,
  Role,
  Snapshot,
  SnapshotMeta,
  StoredSnapshot,
  SubmitResult,
} from '../core/types';
import { EntryType } from '../core/types';
import {
  defaultMaxPendingRequests,
  defaultRequestTimeoutMs,
  defaultSnapshotEveryEntries,
  defaultTickMs,
  inboxMessagesMax,
} from './defaults';
import {
  ConfChangePendingError,
  InvalidConfChangeError,
  InvalidProposalError,
  NodeFailedError,
  NodeStoppedError,
  NotLeaderError,
  ProposalDroppedError,
  ThrottledError,
  TooLargeError,
  TransferringError,
} from './errors';
import type { RaftStorage, SnapshotData, StateMachine, StoredSnapshotBytes, Transport } from './interfaces';
import { addressOfEntry, changeVisibleIn, confAfterEntry, sameMemberChange } from './membership';
import type { ProposeOptions, RaftNodeEvents, RaftNodeLogger, RaftNodeOptions, RaftNodeStatus } from './options';
import { decodeSnapshotEnvelope, encodeSnapshotEnvelope, snapshotEnvelopeChunks } from './snapshot-envelope';
import { createWaiter, type Waiter } from './waiter';

/** A request queued for the next cycle. */
type QueuedRequest<Result> =
  | { readonly kind: 'data'; readonly data: Uint8Array; readonly waiter: Waiter<Result> }
  | { readonly kind: 'submit'; readonly data: Uint8Array; readonly waiter: Waiter<void> }
  | { readonly kind: 'conf'; readonly conf: ConfWaiter }
  | { readonly kind: 'transfer'; readonly transfer: TransferWaiter }
  | { readonly kind: 'read'; readonly context: string };

/** A leadership transfer waiting to see its target lead. */
interface TransferWaiter {
  readonly target: NodeId;
  readonly waiter: Waiter<void>;
}

/** A membership change forwarded to the leader, waiting to see a matching entry applied here. */
interface ConfWaiter {
  readonly change: MemberChange;
  readonly waiter: Waiter<void>;
}

/** A request whose entry is in the log, waiting for that index to apply with the same term. */
interface IndexWaiter {
  readonly term: number;
  readonly waiter: Waiter<unknown>;
}

/** A snapshot of this member's own state machine, captured and waiting to be stored. */
interface CapturedSnapshot {
  /** `performance.now()` when the state machine was captured. */
  readonly startedAt: number;
  readonly meta: Snapshot['meta'];
  readonly addresses: ReadonlyMap<NodeId, string>;
  readonly appData: Promise<SnapshotData> | SnapshotData;
}

const silentLogger: RaftNodeLogger = { debug() {}, info() {}, warn() {}, error() {} };

function toPeerMap(peers: RaftNodeOptions['peers']): Map<NodeId, string> {
  if (peers === undefined) return new Map();
  if (peers instanceof Map) return new Map(peers);
  return new Map(Object.entries(peers));
}

/** A follower's message that promises nothing about its log or vote: it may leave before the fsync. */
function sendableEarly(message: Message): boolean {
  return message.type === 'forward' || message.type === 'readIndex';
}

function isEmptyStorage(hardState: HardState, snapshot: Snapshot | null, entries: readonly Entry[]): boolean {
  return hardState.term === 0 && hardState.vote === null && snapshot === null && entries.length === 0;
}

/**
 * A Raft member: a `Raft` core driven by real time, storage and network, applying committed
 * entries to a `StateMachine`. Create with {@link RaftNode.start}; stop with {@link RaftNode.stop}.
 */
export class RaftNode<Result = unknown> extends EventEmitter<RaftNodeEvents> {
  readonly id: NodeId;
  private readonly core: Raft;
  private readonly storage: RaftStorage;
  private readonly transport: Transport;
  private readonly stateMachine: StateMachine<Result>;
  private readonly logger: RaftNodeLogger;
  private readonly snapshotEveryEntries: number;
  private readonly maxPendingRequests: number;
  private readonly requestTimeoutMs: number;

  private readonly addresses: Map<NodeId, string>;
  private conf: ConfState;
  private appliedIndex: number;
  private appliedTerm: number;
  /** Applied index of the newest snapshot taken or installed (to pace the next one). */
  private lastSnapshotIndex: number;
  /** Applied entries after `lastSnapshotIndex` at which the next snapshot is taken (`drawSnapshotGap`). */
  private snapshotGap = 0;
  private readonly random: () => number;
  /** Index of the newest snapshot in storage (an older capture is discarded, not stored). */
  private storedSnapshotIndex: number;
  private capturedSnapshot: CapturedSnapshot | null = null;
  /** This member's own snapshot being written to storage (off the Ready loop). */
  private snapshotWrite: Promise<void> | null = null;
  /** An own snapshot now in storage, waiting for the loop to compact the log behind it. */
  private storedOwnSnapshot: StoredSnapshot | null = null;
  /** The stored snapshot the core reads from storage when a follower needs it (`serveStoredSnapshot`). */
  private servedSnapshot: StoredSnapshotBytes | null = null;
  private role: Role = 'follower';
  private term = 0;
  private leader: NodeId | null = null;
  /** A hard state whose only change was `commit` was buffered without an fsync. */
  private hardStateDirty = false;
  private lastDurableHardState: HardState;

  /**
   * Messages, ticks and peers whose connection closed, in the order they arrived (a number
   * counts ticks in a row). A cycle can outlast an election timeout (a slow fsync); feeding all
   * its ticks before the messages that arrived meanwhile would make a member that heard from its
   * leader all along time out, and a leader whose followers answered step down.
   */
  private inbox: (Message | number | { readonly peerGone: NodeId })[] = [];
  private inboxMessages = 0;
  private queue: QueuedRequest<Result>[] = [];
  private pendingRequests = 0;
  private readonly indexWaiters = new Map<number, IndexWaiter>();
  private readonly readWaiters = new Map<string, Waiter<void>>();
  private readsAwaitingApply: { index: number; context: string }[] = [];
  private readonly transferWaiters = new Set<TransferWaiter>();
  private readonly confWaiters = new Set<ConfWaiter>();
  /** Submits handed to the core, resolved once the Ready carrying them is persisted and sent. */
  private handedOn: Waiter<void>[] = [];
  /** How many of `handedOn` belong to Readys already taken (the rest wait for the next one). */
  private handedOnClaimed = 0;
  /** Accepted Readys whose writes are not durable yet. */
  private persisting = 0;
  private readSequence = 0;
  private readonly releaseRequest = (): void => {
    this.pendingRequests--;
  };

  private tickTimer: NodeJS.Timeout | null = null;
  private loop: Promise<void> | null = null;
  private scheduled = false;
  private stopping = false;
  private stopPromise: Promise<void> | null = null;
  private fatalError: Error | null = null;

  private stats = {
    readyCycles: 0,
    syncs: 0,
    entriesPersisted: 0,
    messagesSent: 0,
    messagesReceived: 0,
    entriesApplied: 0,
    snapshotsTaken: 0,
    lastSnapshotMs: 0,
    lastSnapshotBytes: 0,
    snapshotMsMax: 0,
    snapshotsInstalled: 0,
    snapshotBytesInMemory: 0,
  };

  private constructor(
    options: RaftNodeOptions<Result>,
    core: Raft,
    restored: { snapshot: Snapshot | null; hardState: HardState; addresses: Map<NodeId, string> },
  ) {
    super();
    this.id = options.id;
    this.core = core;
    this.storage = options.storage;
    this.transport = options.transport;
    this.stateMachine = options.stateMachine;
    this.logger = options.logger ?? silentLogger;
    this.snapshotEveryEntries = options.snapshotEveryEntries ?? defaultSnapshotEveryEntries;
    this.random = options.raft?.random ?? Math.random;
    this.maxPendingRequests = options.maxPendingRequests ?? defaultMaxPendingRequests;
    this.requestTimeoutMs = options.requestTimeoutMs ?? defaultRequestTimeoutMs;
    this.addresses = restored.addresses;
    const meta = restored.snapshot?.meta;
    this.conf = meta?.conf ?? emptyConfState;
    this.appliedIndex = meta?.index ?? 0;
    this.appliedTerm = meta?.term ?? 0;
    this.lastSnapshotIndex = this.appliedIndex;
    this.snapshotGap = this.drawSnapshotGap();
    this.storedSnapshotIndex = this.appliedIndex;
    this.lastDurableHardState = restored.hardState;
    this.term = restored.hardState.term;
  }

  /**
   * Loads storage, restores the state machine from the newest snapshot, starts the transport
   * and the tick timer. With `bootstrap` and empty storage, first persists the initial
   * configuration of a brand-new cluster.
   */
  static async start<Result = unknown>(options: RaftNodeOptions<Result>): Promise<RaftNode<Result>> {
    const tickMs = options.tickMs ?? defaultTickMs;
    if (!(tickMs > 0)) throw new RangeError(`tickMs must be positive, got ${tickMs}`);
    const { storage } = options;
    try {
      return await RaftNode.open(options, tickMs);
    } catch (error) {
      // Leave nothing half-open behind: the caller gets the error and owns no node to stop.
      await options.transport.close().catch(() => {});
      await storage.close().catch(() => {});
      throw error;
    }
  }

  private static async open<Result>(options: RaftNodeOptions<Result>, tickMs: number): Promise<RaftNode<Result>> {
    const { storage } = options;
    let persisted = await storage.load();
    if (options.bootstrap !== undefined && isEmptyStorage(persisted.hardState, persisted.snapshot, persisted.entries)) {
      const initial = Raft.bootstrap(options.bootstrap);
      if (initial.snapshot !== null) await storage.saveSnapshot(initial.snapshot);
      storage.append(initial.entries);
      storage.setHardState(initial.hardState);
      await storage.sync();
      persisted = initial;
    }
    const addresses = toPeerMap(options.peers);
    if (persisted.snapshot !== null) {
      const envelope = decodeSnapshotEnvelope(persisted.snapshot.data);
      await options.stateMachine.restore(envelope.appData);
      for (const [id, url] of envelope.addresses) if (!addresses.has(id)) addresses.set(id, url);
    }
    const config: RaftConfig = {
      ...defaultRaftConfig,
      random: Math.random,
      // The state machine is rebuilt from the durable snapshot and log on every start, so
      // applying committed entries before this member's own fsync is safe (see the option).
      applyBeforeDurable: true,
      ...options.raft,
      id: options.id,
    };
    const core = new Raft(config, persisted);
    const node = new RaftNode(options, core, {
      snapshot: persisted.snapshot,
      hardState: persisted.hardState,
      addresses,
    });
    // Addresses of members added after the snapshot are in entries not yet applied; learning
    // them now lets this member answer a leader it has never heard of before the replay.
    for (const entry of persisted.entries) node.learnAddress(entry);
    node.pushPeers();
    if (persisted.snapshot !== null)
      node.serveStoredSnapshot(persisted.snapshot.meta, persisted.snapshot.data.byteLength);
    await options.transport.start(
      (message) => node.receive(message),
      (peer) => node.peerGone(peer),
    );
    node.tickTimer = setInterval(() => {
      node.queueTick();
    }, tickMs);
    node.schedule();
    node.logger.info('raft node started', {
      id: node.id,
      term: persisted.hardState.term,
      snapshotIndex: node.appliedIndex,
      entries: persisted.entries.length,
    });
    return node;
  }

  /**
   * Proposes `data` (non-empty) for replication. Resolves with the state machine's `apply`
   * result once the entry is applied here; rejects with `NotLeaderError` on a non-leader,
   * `ProposalDroppedError` if another leader's entry took its slot, `ThrottledError`,
   * `AbortedError` or `NodeStoppedError`.
   */
  propose(data: Uint8Array, options: ProposeOptions = {}): Promise<Result> {
    const refused = this.refuse();
    if (refused !== null) return Promise.reject(refused);
    if (data.length === 0) {
      return Promise.reject(new InvalidProposalError('data must not be empty (an empty entry is the no-op)'));
    }
    if (this.role !== 'leader') return Promise.reject(this.notLeader());
    const { promise, waiter } = this.track<Result>(options.signal);
    this.queue.push({ kind: 'data', data, waiter });
    this.schedule();
    return promise;
  }

  /**
   * Appends `data` (non-empty) through the leader from any member: proposes it here if this
   * member leads, else forwards it to the leader it knows (DESIGN §3). Resolves once handed on:
   * appended to the leader's durable log here, or sent towards the leader. That is all it
   * promises. Delivery is NOT guaranteed: a forward can be lost, refused by the leader
   * (dropped without an answer) or, if the network duplicates it, appended twice. The caller
   * recognises its own entry when `apply` sees it (e.g. a request id inside `data`), ignores
   * repeats, and times out and retries when it never comes.
   *
   * Rejects with `NotLeaderError` when no leader is known, `InvalidProposalError` for empty
   * data, `TooLargeError`, `TransferringError` (on the leader), `ThrottledError`, `AbortedError`
   * or `NodeStoppedError`.
   */
  submit(data: Uint8Array, options: ProposeOptions = {}): Promise<void> {
    const refused = this.refuse();
    if (refused !== null) return Promise.reject(refused);
    if (!(data instanceof Uint8Array) || data.length === 0) {
      return Promise.reject(new InvalidProposalError('data must be non-empty bytes (an empty entry is the no-op)'));
    }
    if (this.role !== 'leader' && this.leader === null) return Promise.reject(this.notLeader());
    const { promise, waiter } = this.track<void>(options.signal);
    this.queue.push({ kind: 'submit', data, waiter });
    this.schedule();
    return promise;
  }

  /**
   * Resolves once this member's state machine has applied through a linearizable read point
   * (ReadIndex); a read of local state after that sees every write committed before the call.
   */
  readIndex(options: ProposeOptions = {}): Promise<void> {
    const refused = this.refuse();
    if (refused !== null) return Promise.reject(refused);
    this.readSequence++;
    const context = `${this.id}/${this.readSequence}`;
    const { promise, waiter } = this.track<void>(options.signal, 'read index', () => this.readWaiters.delete(context));
    this.readWaiters.set(context, waiter);
    this.queue.push({ kind: 'read', context });
    this.schedule();
    return promise;
  }

  /*
   * Membership changes work on any member. On the leader the change is proposed here and the
   * promise rejects at once if the configuration refuses it. On a follower it is forwarded to
   * the leader and the promise resolves once a matching change is applied on THIS member; a
   * forward the leader refuses (another change pending, invalid for its configuration) is
   * dropped, so the promise then rejects with `TimeoutError` after `requestTimeoutMs`.
   * `NotLeaderError` only when no leader is known.
   */

  /** Adds a non-voting member reachable at `url`; resolves once the change is applied here. */
  addLearner(node: NodeId, url: string, options: ProposeOptions = {}): Promise<void> {
    return this.changeMembership({ kind: 'addLearner', node, context: new TextEncoder().encode(url) }, options);
  }

  /** Adds a voting member reachable at `url` (prefer `addLearner` then `promote` for a new member). */
  addVoter(node: NodeId, url: string, options: ProposeOptions = {}): Promise<void> {
    return this.changeMembership({ kind: 'addVoter', node, context: new TextEncoder().encode(url) }, options);
  }

  /** Makes a learner a voter. */
  promote(node: NodeId, options: ProposeOptions = {}): Promise<void> {
    return this.changeMembership({ kind: 'promoteLearner', node }, options);
  }

  /** Removes a voter or a learner. */
  removeMember(node: NodeId, options: ProposeOptions = {}): Promise<void> {
    return this.changeMembership({ kind: 'removeNode', node }, options);
  }

  /**
   * Hands leadership to `target`, from any member (a follower forwards the request to the
   * leader). Resolves once this member sees `target` lead; rejects with `TimeoutError` after
   * `requestTimeoutMs`, and with `NotLeaderError` only when no leader is known.
   */
  transferLeadership(target: NodeId, options: ProposeOptions = {}): Promise<void> {
    const refused = this.refuse();
    if (refused !== null) return Promise.reject(refused);
    if (this.role !== 'leader' && this.leader === null) return Promise.reject(this.notLeader());
    let transfer: TransferWaiter | null = null;
    const { promise, waiter } = this.track<void>(options.signal, `leadership transfer to ${target}`, () => {
      if (transfer !== null) this.transferWaiters.delete(transfer);
    });
    transfer = { target, waiter };
    this.queue.push({ kind: 'transfer', transfer });
    this.schedule();
    return promise;
  }

  /**
   * Adds or updates peer addresses (e.g. members started on ephemeral ports, or a member that
   * moved). Addresses carried by committed membership changes are learned without this.
   */
  setPeerAddresses(peers: ReadonlyMap<NodeId, string> | Readonly<Record<NodeId, string>>): void {
    let changed = false;
    for (const [id, url] of toPeerMap(peers)) {
      if (id !== this.id && this.addresses.get(id) !== url) {
        this.addresses.set(id, url);
        changed = true;
      }
    }
    if (changed && !this.stopping) this.pushPeers();
  }

  /** The core's status plus the runtime's counters. */
  status(): RaftNodeStatus {
    return {
      ...this.core.status(),
      appliedIndex: this.appliedIndex,
      peers: new Map(this.addresses),
      pendingRequests: this.pendingRequests,
      stats: { ...this.stats },
      stopped: this.stopping,
    };
  }

  /** The leader this member knows of (null if none) and its address if known. */
  leaderInfo(): { leader: NodeId | null; leaderUrl: string | null; term: number } {
    return { leader: this.leader, leaderUrl: this.leaderUrl(), term: this.term };
  }

  /** True while this member is the leader. */
  isLeader(): boolean {
    return this.role === 'leader';
  }

  /**
   * Stops the tick timer and the transport, lets the running cycle finish, makes storage durable
   * and closes it. Waiting requests fail with `NodeStoppedError`. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.stopPromise ??= this.shutdown();
    return this.stopPromise;
  }

  // ---- input ---------------------------------------------------------------------------------

  private receive(message: Message): void {
    if (this.stopping) return;
    if (this.inboxMessages >= inboxMessagesMax) {
      // Raft recovers from a lost message; memory does not recover from an unbounded queue.
      return;
    }
    this.stats.messagesReceived++;
    this.inboxMessages++;
    this.inbox.push(message);
    this.schedule();
  }

  /** The transport saw `peer`'s last connection to us close; the core decides if it matters. */
  private peerGone(peer: NodeId): void {
    if (this.stopping) return;
    this.inbox.push({ peerGone: peer });
    this.schedule();
  }

  private queueTick(): void {
    const last = this.inbox.length - 1;
    const previous = this.inbox[last];
    if (typeof previous === 'number') this.inbox[last] = previous + 1;
    else this.inbox.push(1);
    this.schedule();
  }

  private refuse(): Error | null {
    if (this.stopping) return new NodeStoppedError(this.fatalError ?? undefined);
    if (this.pendingRequests >= this.maxPendingRequests) return new ThrottledError(this.maxPendingRequests);
    return null;
  }

  private track<T>(
    signal: AbortSignal | undefined,
    timeoutWhat?: string,
    onSettle?: () => void,
  ): { promise: Promise<T>; waiter: Waiter<T> } {
    this.pendingRequests++;
    return createWaiter<T>({
      signal,
      timeout: timeoutWhat === undefined ? undefined : { ms: this.requestTimeoutMs, what: timeoutWhat },
      onSettle:
        onSettle === undefined
          ? this.releaseRequest
          : () => {
              this.pendingRequests--;
              onSettle();
            },
    });
  }

  private changeMembership(change: MemberChange, options: ProposeOptions): Promise<void> {
    const refused = this.refuse();
    if (refused !== null) return Promise.reject(refused);
    if (this.role !== 'leader' && this.leader === null) return Promise.reject(this.notLeader());
    let conf: ConfWaiter | null = null;
    const { promise, waiter } = this.track<void>(options.signal, undefined, () => {
      if (conf !== null) this.confWaiters.delete(conf);
    });
    conf = { change, waiter };
    this.queue.push({ kind: 'conf', conf });
    this.schedule();
    return promise;
  }

  // ---- the loop ------------------------------------------------------------------------------

  private schedule(): void {
    if (this.scheduled || this.loop !== null || this.stopping) return;
    this.scheduled = true;
    // setImmediate lets every input of the current event-loop turn join the same batch.
    setImmediate(() => {
      this.scheduled = false;
      if (this.loop !== null || this.stopping) return;
      this.loop = this.runLoop().finally(() => {
        this.loop = null;
      });
    });
  }

  private async runLoop(): Promise<void> {
    try {
      while (!this.stopping) {
        this.feedCore();
        if (this.storedOwnSnapshot !== null) {
          await this.compactTo(this.storedOwnSnapshot);
          continue;
        }
        if (!this.core.hasReady()) return;
        await this.handleReady(this.core.ready());
      }
    } catch (error) {
      this.fail(error);
    }
  }

  /** Feeds every queued input to the core. Only called between Ready cycles. */
  private feedCore(): void {
    if (this.inbox.length > 0) {
      const inbox = this.inbox;
      this.inbox = [];
      this.inboxMessages = 0;
      for (const item of inbox) {
        if (typeof item === 'number') for (let ticks = item; ticks > 0; ticks--) this.core.tick();
        else if ('peerGone' in item) this.core.peerGone(item.peerGone);
        else this.core.step(item);
      }
    }
    if (this.queue.length > 0) {
      const queue = this.queue;
      this.queue = [];
      for (const request of queue) this.feedRequest(request);
    }
  }

  private feedRequest(request: QueuedRequest<Result>): void {
    switch (request.kind) {
      case 'read':
        if (this.readWaiters.has(request.context)) this.core.readIndex(request.context);
        return;
      case 'data':
        if (request.waiter.settled) return;
        this.awaitIndex(this.core.propose(request.data), request.waiter as Waiter<unknown>);
        return;
      case 'submit': {
        if (request.waiter.settled) return;
        const result = this.core.submit(request.data);
        if (result.ok) this.handedOn.push(request.waiter);
        else request.waiter.reject(this.rejection(result));
        return;
      }
      case 'conf': {
        const { change, waiter } = request.conf;
        if (waiter.settled) return;
        const result = this.core.submitConfChange(change);
        if (!result.ok) {
          waiter.reject(this.rejection(result));
        } else if (result.forwardedTo === null) {
          this.awaitIndex(result, waiter as Waiter<unknown>);
        } else {
          this.confWaiters.add(request.conf);
          waiter.armTimeout(this.requestTimeoutMs, `${change.kind} ${change.node} forwarded to ${result.forwardedTo}`);
        }
        return;
      }
      case 'transfer': {
        const { target, waiter } = request.transfer;
        if (waiter.settled) return;
        const result = this.core.submitTransfer(target);
        if (!result.ok) {
          waiter.reject(this.rejection(result));
        } else if (this.leader === target) {
          waiter.resolve();
        } else {
          this.transferWaiters.add(request.transfer);
        }
        return;
      }
    }
  }

  private awaitIndex(result: ProposeResult | SubmitResult, waiter: Waiter<unknown>): void {
    if (!result.ok) {
      waiter.reject(this.rejection(result));
      return;
    }
    if (!('index' in result)) throw new Error('awaitIndex: a forwarded request has no index to wait for');
    this.indexWaiters.set(result.index, { term: result.term, waiter });
  }

  private rejection(result: Extract<SubmitResult, { ok: false }>): Error {
    switch (result.reason) {
      case 'no-leader':
        return new NotLeaderError(null, null);
      case 'not-leader':
        return new NotLeaderError(
          result.leader,
          result.leader === null ? null : (this.addresses.get(result.leader) ?? null),
        );
      case 'transferring':
        return new TransferringError();
      case 'conf-change-pending':
        return new ConfChangePendingError();
      case 'invalid-conf-change':
        return new InvalidConfChangeError('rejected by the current configuration');
      case 'too-large':
        return new TooLargeError();
    }
  }

  /**
   * One Ready cycle. Without a snapshot it is pipelined (Raft thesis §10.2.1; the core's
   * `acceptReady`): the writes are queued for the next group commit, what may leave before
   * they are durable leaves, committed entries are applied, and the cycle ends without waiting
   * for the fsync, so proposals and acks that arrive meanwhile go into the next cycle (and the
   * next flush) instead of waiting for this one. The rest of the Ready (held messages, resolved
   * submits, `readyPersisted`) follows once `storage.sync()` resolves, which covers every write
   * queued so far; syncs resolve in call order, so Readys complete in the order accepted.
   */
  private async handleReady(ready: Ready): Promise<void> {
    if (ready.snapshot !== null) {
      await this.handleSnapshotReady(ready, ready.snapshot);
      return;
    }
    this.stats.readyCycles++;
    // Every submit fed before this Ready is in it (appended entries or a forward message).
    const handedOn = this.handedOn.length - this.handedOnClaimed;
    this.handedOnClaimed += handedOn;
    if (ready.softState !== null)
      this.noteSoftState(ready.softState.role, ready.softState.term, ready.softState.leader);
    const { needSync, promisesChanged } = this.write(ready);
    // A leader's messages (appends, heartbeats, refusals of stale terms) promise nothing about
    // its own log: the followers' fsyncs run in parallel with the leader's, and the core counts
    // the leader's copy only at `readyPersisted`. A follower's forwards promise nothing either.
    // Its acks and votes do, and an ack may cover entries an EARLIER Ready handed over, so
    // they wait for every write so far. Nothing leaves early when this Ready changes term or
    // vote: those must be durable before any message of the new term leaves.
    let held = ready.messages;
    if (!promisesChanged) {
      if (this.role === 'leader') held = [];
      else if (ready.messages.some(sendableEarly)) held = ready.messages.filter((m) => !sendableEarly(m));
    }
    this.learnAddresses(ready);
    if (held.length < ready.messages.length) {
      this.sendMessages(held.length === 0 ? ready.messages : ready.messages.filter((m) => sendableEarly(m)));
    }
    // Committed entries are durable on a quorum, if not yet here (`applyBeforeDurable`): they
    // apply now, not after this member's fsync, so a leader whose own disk is the slowest of
    // the quorum answers as soon as the followers made the entry committed.
    this.applyReady(ready);
    this.core.acceptReady(ready);
    if (!needSync && this.persisting === 0) {
      this.completeReady(ready, held, handedOn);
      return;
    }
    this.persisting++;
    const durable = this.storage.sync().then(
      () => {
        this.persisting--;
        if (needSync) {
          this.stats.syncs++;
          this.hardStateDirty = false;
          if (ready.hardState !== null) this.lastDurableHardState = ready.hardState;
        }
        this.completeReady(ready, held, handedOn);
        this.schedule();
      },
      (error: unknown) => {
        this.persisting--;
        // Every Ready still waiting shares the failed flush; one failure stops the node once.
        if (this.fatalError === null) this.fail(error);
      },
    );
    // A new term or vote is durable before anything else is written: else a member that
    // elected itself alone could write entries of a term that a crash takes back (the hard
    // state goes to disk after the log), win that term again and write other entries at the
    // same indexes. Elections are rare; this costs nothing in steady state.
    if (promisesChanged) await durable;
  }

  /** The writes of `ready` are durable: send what waited for them, resolve submits, tell the core. */
  private completeReady(ready: Ready, held: readonly Message[], handedOn: number): void {
    if (this.stopping) return;
    this.sendMessages(held);
    this.handedOnClaimed -= handedOn;
    for (const waiter of this.handedOn.splice(0, handedOn)) waiter.resolve();
    this.core.readyPersisted(ready);
  }

  /** Queues a Ready's entries and hard state; says whether they need an fsync and change promises. */
  private write(ready: Ready): { needSync: boolean; promisesChanged: boolean } {
    let needSync = false;
    let promisesChanged = false;
    if (ready.entries.length > 0) {
      this.storage.append(ready.entries);
      this.stats.entriesPersisted += ready.entries.length;
      needSync = true;
    }
    if (ready.hardState !== null) {
      this.storage.setHardState(ready.hardState);
      const previous = this.lastDurableHardState;
      // Only term and vote are promises to peers; a commit index alone may stay buffered
      // until the next fsync (a restart simply re-learns it from the leader).
      promisesChanged = ready.hardState.term !== previous.term || ready.hardState.vote !== previous.vote;
      if (promisesChanged) needSync = true;
      else this.hardStateDirty = true;
    }
    return { needSync, promisesChanged };
  }

  /**
   * A Ready that installs a leader's snapshot is handled whole, in the order `Ready`
   * prescribes, once every earlier Ready is durable: store the snapshot, persist, install,
   * apply, send, `advance`.
   */
  private async handleSnapshotReady(ready: Ready, snapshot: Snapshot): Promise<void> {
    this.stats.readyCycles++;
    const handedOn = this.handedOn.length - this.handedOnClaimed;
    this.handedOnClaimed += handedOn;
    if (ready.softState !== null)
      this.noteSoftState(ready.softState.role, ready.softState.term, ready.softState.leader);
    if (this.persisting > 0) await this.storage.sync();
    await this.storage.saveSnapshot(snapshot);
    this.storedSnapshotIndex = Math.max(this.storedSnapshotIndex, snapshot.meta.index);
    this.write(ready);
    await this.storage.sync();
    this.stats.syncs++;
    this.hardStateDirty = false;
    if (ready.hardState !== null) this.lastDurableHardState = ready.hardState;
    await this.installSnapshot(snapshot);
    this.applyReady(ready);
    this.learnAddresses(ready);
    this.sendMessages(ready.messages);
    this.handedOnClaimed -= handedOn;
    for (const waiter of this.handedOn.splice(0, handedOn)) waiter.resolve();
    this.core.advance(ready);
    this.serveStoredSnapshot(snapshot.meta, snapshot.data.byteLength);
  }

  /**
   * The core now holds the snapshot at `meta` (`byteLength` bytes) in memory: lets it read the
   * stored copy back from storage when a follower needs it instead, so this member drops its
   * copy (at a million nodes about an eighth of its memory). Without a storage that can, or if
   * it cannot now, the copy stays.
   */
  private serveStoredSnapshot(meta: SnapshotMeta, byteLength: number): void {
    this.stats.snapshotBytesInMemory = byteLength;
    if (this.storage.serveSnapshot === undefined || this.stopping) return;
    let reported = false;
    const onReadError = (error: Error): void => {
      // Every heartbeat asks again; one report per snapshot is enough.
      if (reported) return;
      reported = true;
      this.logger.error('reading the stored snapshot failed; followers behind it wait for the next one', {
        id: this.id,
        index: meta.index,
        error: error.message,
      });
      // The next applied entry takes a new snapshot, which replaces the unreadable one.
      this.snapshotGap = 0;
    };
    let bytes: StoredSnapshotBytes | null;
    try {
      bytes = this.storage.serveSnapshot(meta, onReadError);
    } catch (error) {
      this.logger.warn('cannot read the stored snapshot back; keeping it in memory', {
        id: this.id,
        index: meta.index,
        error: String(error),
      });
      return;
    }
    if (bytes === null) return;
    if (!this.core.serveSnapshotFrom(meta, bytes)) {
      bytes.close();
      return;
    }
    this.servedSnapshot?.close();
    this.servedSnapshot = bytes;
    this.stats.snapshotBytesInMemory = 0;
  }

  /** Peers learn the addresses a Ready's committed entries carry first, so messages to a member just added are not dropped. */
  private learnAddresses(ready: Ready): void {
    let peersChanged = false;
    for (const entry of ready.committedEntries) peersChanged = this.learnAddress(entry) || peersChanged;
    if (peersChanged) this.pushPeers();
  }

  private sendMessages(messages: readonly Message[]): void {
    if (messages.length === 0) return;
    this.transport.send(messages);
    this.stats.messagesSent += messages.length;
  }

  /** Applies a Ready's committed entries, then answers the reads they (and its read states) allow. */
  private applyReady(ready: Ready): void {
    if (ready.committedEntries.length > 0) this.applyEntries(ready.committedEntries);
    // Reads: answer those whose index is applied; fail the ones the core could not serve.
    for (const read of ready.readStates) this.readsAwaitingApply.push(read);
    this.answerReads();
    for (const failure of ready.readFailures) {
      const waiter = this.readWaiters.get(failure.context);
      const url = failure.leader === null ? null : (this.addresses.get(failure.leader) ?? null);
      waiter?.reject(new NotLeaderError(failure.leader, url));
    }
  }

  private noteSoftState(role: Role, term: number, leader: NodeId | null): void {
    const leaderChanged = leader !== this.leader || term !== this.term;
    const roleChanged = role !== this.role;
    this.role = role;
    this.term = term;
    const previousLeader = this.leader;
    this.leader = leader;
    if (roleChanged || leaderChanged) this.emit('roleChange', { role, term, leader });
    if (leader !== previousLeader) {
      this.logger.info('leader changed', { id: this.id, leader, term });
      this.emit('leaderChange', { leader, term });
      for (const entry of this.transferWaiters) {
        if (entry.target === leader) {
          entry.waiter.resolve();
          this.transferWaiters.delete(entry);
        }
      }
    }
  }

  // ---- applying ------------------------------------------------------------------------------

  private applyEntries(entries: readonly Entry[]): void {
    let membershipChanged = false;
    for (const entry of entries) {
      if (entry.index <= this.appliedIndex) continue;
      if (entry.index !== this.appliedIndex + 1) {
        throw new Error(`committed entry ${entry.index} does not follow applied index ${this.appliedIndex}`);
      }
      let result: unknown;
      let failure: Error | null = null;
      if (entry.type === EntryType.Config) {
        this.conf = confAfterEntry(this.conf, entry.data);
        membershipChanged = true;
        if (this.confWaiters.size > 0) this.settleConfWaiters(entry.data);
      } else if (entry.data.length > 0) {
        try {
          result = this.stateMachine.apply(entry);
        } catch (error) {
          // A deterministic state machine throws on every member alike, so state stays equal;
          // the proposer gets the error instead of a result.
          failure = error instanceof Error ? error : new Error(String(error));
        }
        this.stats.entriesApplied++;
      }
      this.appliedIndex = entry.index;
      this.appliedTerm = entry.term;
      const pending = this.indexWaiters.get(entry.index);
      if (pending !== undefined) {
        this.indexWaiters.delete(entry.index);
        if (pending.term !== entry.term) {
          pending.waiter.reject(new ProposalDroppedError(entry.index, 'another leader wrote this index'));
        } else if (failure !== null) {
          pending.waiter.reject(failure);
        } else {
          pending.waiter.resolve(result);
        }
      }
      if (
        this.snapshotEveryEntries > 0 &&
        this.capturedSnapshot === null &&
        this.snapshotWrite === null &&
        this.appliedIndex - this.lastSnapshotIndex >= this.snapshotGap
      ) {
        this.captureSnapshot();
      }
    }
    if (membershipChanged) this.emit('membershipChange', this.conf);
    this.emit('applied', this.appliedIndex);
  }

  /** Resolves forwarded membership changes that the applied Config entry `data` carries out. */
  private settleConfWaiters(data: Uint8Array): void {
    const change = decodeConfChange(data);
    if (change === null) return;
    for (const conf of this.confWaiters) if (sameMemberChange(conf.change, change)) conf.waiter.resolve();
  }

  private answerReads(): void {
    if (this.readsAwaitingApply.length === 0) return;
    const still: { index: number; context: string }[] = [];
    for (const read of this.readsAwaitingApply) {
      if (read.index <= this.appliedIndex) this.readWaiters.get(read.context)?.resolve();
      else still.push(read);
    }
    this.readsAwaitingApply = still;
  }

  private learnAddress(entry: Entry): boolean {
    if (entry.type !== EntryType.Config) return false;
    const address = addressOfEntry(entry.data);
    if (address === null || address.node === this.id || this.addresses.get(address.node) === address.url) return false;
    this.addresses.set(address.node, address.url);
    return true;
  }

  private pushPeers(): void {
    const peers = new Map(this.addresses);
    peers.delete(this.id);
    this.transport.setPeers(peers);
  }

  private leaderUrl(): string | null {
    return this.leader === null ? null : (this.addresses.get(this.leader) ?? null);
  }

  private notLeader(): NotLeaderError {
    return new NotLeaderError(this.leader, this.leaderUrl());
  }

  // ---- snapshots -----------------------------------------------------------------------------

  /**
   * Captures the state machine at the current applied index. Serialising (the state machine's
   * promise) and writing the file both run beside the Ready loop, so a large state never stalls
   * heartbeats; only the compaction joins the loop.
   */
  private captureSnapshot(): void {
    // The core checks a snapshot's membership against its own log; ask it rather than risk a mismatch.
    const meta = { index: this.appliedIndex, term: this.appliedTerm, conf: this.core.confStateAt(this.appliedIndex) };
    this.lastSnapshotIndex = this.appliedIndex;
    this.snapshotGap = this.drawSnapshotGap();
    const captured: CapturedSnapshot = {
      startedAt: performance.now(),
      meta,
      addresses: new Map(this.addresses),
      appData: this.stateMachine.snapshot(),
    };
    this.capturedSnapshot = captured;
    Promise.resolve(captured.appData).then(
      (appData) => {
        if (this.capturedSnapshot !== captured) return;
        this.capturedSnapshot = null;
        if (this.stopping) return;
        this.snapshotWrite = this.writeOwnSnapshot(captured, appData).finally(() => {
          this.snapshotWrite = null;
        });
      },
      (error: unknown) => {
        if (this.capturedSnapshot !== captured) return;
        this.capturedSnapshot = null;
        this.logger.warn('state machine snapshot failed; will retry later', { id: this.id, error: String(error) });
      },
    );
  }

  /**
   * How many applied entries the next snapshot waits for: more than half of
   * `snapshotEveryEntries` and at most all of it, drawn anew after each snapshot (ZooKeeper's
   * rule for snapCount). Members then serialise at different times, so the CPU and disk a
   * snapshot takes are never taken on every member at once.
   */
  private drawSnapshotGap(): number {
    const every = this.snapshotEveryEntries;
    return every - Math.floor(this.random() * Math.floor(every / 2));
  }

  /**
   * Writes this member's own snapshot to storage while the loop goes on: as chunks, never
   * joined in memory, when the storage takes them.
   */
  private async writeOwnSnapshot(captured: CapturedSnapshot, appData: SnapshotData): Promise<void> {
    const { meta } = captured;
    let snapshot: StoredSnapshot;
    try {
      if (this.storage.saveSnapshotChunks !== undefined) {
        const chunks = snapshotEnvelopeChunks(captured.addresses, appData);
        await this.storage.saveSnapshotChunks(meta, chunks);
        snapshot = { meta, bytes: bytesInChunks(chunks) };
      } else {
        const data = await encodeSnapshotEnvelope(captured.addresses, appData);
        if (this.stopping) return;
        await this.storage.saveSnapshot({ meta, data });
        snapshot = { meta, bytes: bytesInMemory(data) };
      }
    } catch (error) {
      // The log is intact without it; the next interval tries again.
      if (!this.stopping)
        this.logger.warn('storing a snapshot failed; will retry later', { id: this.id, error: String(error) });
      return;
    }
    this.storedOwnSnapshot = snapshot;
    const ms = performance.now() - captured.startedAt;
    this.stats.lastSnapshotMs = ms;
    this.stats.lastSnapshotBytes = snapshot.bytes.byteLength;
    this.stats.snapshotMsMax = Math.max(this.stats.snapshotMsMax, ms);
    this.schedule();
  }

  /** Compacts the log behind a stored own snapshot. Runs between Ready cycles. */
  private async compactTo(snapshot: StoredSnapshot): Promise<void> {
    this.storedOwnSnapshot = null;
    // A leader's newer snapshot may have been installed while this one was written.
    if (snapshot.meta.index <= this.storedSnapshotIndex) return;
    this.storedSnapshotIndex = snapshot.meta.index;
    this.core.compact(snapshot);
    // The file is stored already; only old log segments go next.
    this.serveStoredSnapshot(snapshot.meta, snapshot.bytes.byteLength);
    await this.storage.compact(snapshot.meta.index);
    this.stats.snapshotsTaken++;
    this.logger.debug('snapshot taken', { id: this.id, index: snapshot.meta.index });
  }

  /** Replaces the state machine with a leader's snapshot. */
  private async installSnapshot(snapshot: Snapshot): Promise<void> {
    const { meta } = snapshot;
    if (meta.index <= this.appliedIndex) return;
    const envelope = decodeSnapshotEnvelope(snapshot.data);
    await this.stateMachine.restore(envelope.appData);
    let peersChanged = false;
    for (const [id, url] of envelope.addresses) {
      if (id !== this.id && this.addresses.get(id) !== url) {
        this.addresses.set(id, url);
        peersChanged = true;
      }
    }
    if (peersChanged) this.pushPeers();
    this.conf = meta.conf;
    this.appliedIndex = meta.index;
    this.appliedTerm = meta.term;
    this.lastSnapshotIndex = meta.index;
    this.snapshotGap = this.drawSnapshotGap();
    this.capturedSnapshot = null;
    for (const [index, pending] of this.indexWaiters) {
      if (index <= meta.index) {
        this.indexWaiters.delete(index);
        pending.waiter.reject(new ProposalDroppedError(index, 'outcome replaced by a snapshot'));
      }
    }
    // The snapshot skips the entries themselves; a requested membership that now holds is done.
    for (const conf of this.confWaiters) if (changeVisibleIn(this.conf, conf.change)) conf.waiter.resolve();
    this.stats.snapshotsInstalled++;
    this.logger.info('snapshot installed', { id: this.id, index: meta.index, term: meta.term });
    this.emit('snapshotInstalled', meta);
    this.emit('membershipChange', this.conf);
    this.emit('applied', this.appliedIndex);
  }

  // ---- stopping ------------------------------------------------------------------------------

  private fail(error: unknown): void {
    const fatal = new NodeFailedError(error);
    this.fatalError = fatal;
    this.logger.error('raft node failed; stopping', { id: this.id, error: String(error) });
    this.emit('fatal', fatal);
    void this.stop();
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    if (this.tickTimer !== null) clearInterval(this.tickTimer);
    this.tickTimer = null;
    const closeTransport = this.transport.close().catch((error: unknown) => {
      this.logger.warn('transport close failed', { id: this.id, error: String(error) });
    });
    await this.loop;
    await this.snapshotWrite;
    const stopped = new NodeStoppedError(this.fatalError ?? undefined);
    for (const request of this.queue) {
      if (request.kind === 'transfer') request.transfer.waiter.reject(stopped);
      else if (request.kind === 'conf') request.conf.waiter.reject(stopped);
      else if (request.kind !== 'read') request.waiter.reject(stopped);
    }
    this.queue = [];
    for (const waiter of this.handedOn) waiter.reject(stopped);
    this.handedOn = [];
    for (const { waiter } of this.confWaiters) waiter.reject(stopped);
    this.confWaiters.clear();
    for (const { waiter } of this.indexWaiters.values()) waiter.reject(stopped);
    this.indexWaiters.clear();
    for (const waiter of this.readWaiters.values()) waiter.reject(stopped);
    this.readWaiters.clear();
    for (const { waiter } of this.transferWaiters) waiter.reject(stopped);
    this.transferWaiters.clear();
    try {
      if (this.hardStateDirty && this.fatalError === null) await this.storage.sync();
    } finally {
      await closeTransport;
      this.servedSnapshot?.close();
      this.servedSnapshot = null;
      await this.storage.close();
    }
    this.logger.info('raft node stopped', { id: this.id });
  }
}
