/**
 * The deterministic cluster simulator: real `Raft` cores on a simulated clock, network and
 * disk, all driven from one seed. A safety phase runs a workload under faults and checks the
 * invariants after every event; a liveness phase heals everything and requires progress.
 */
import { decodeConfChange } from '../core/conf-change';
import { defaultRaftConfig, Raft, type RaftConfig, type RaftInitialState } from '../core/raft';
import { bytesInMemory } from '../core/snapshot-bytes';
import type { ConfChange, ConfState, Entry, Message, NodeId, Ready, SnapshotBytes } from '../core/types';
import { EntryType } from '../core/types';
import { SafetyChecker } from './checker';
import { type DiskImage, SimDisk } from './disk';
import { EventQueue } from './event-queue';
import { drawNetworkFaults, healedFaults, SimNetwork } from './network';
import { fnv1a, Prng } from './prng';
import type { SimNode } from './sim-node';
import { encodeWrite, KvStateMachine } from './state-machine';
import type { CreateRaft, SimulationOptions, SimulationResult, SimulationStats } from './types';

/** Simulated milliseconds per tick of every member. */
const TICK_MS = 10;
/** Keys the workload writes and reads; few, so that reads race with writes to the same key. */
const KEY_COUNT = 5;
const DEFAULT_STEPS = 3000;
/** The workload stops proposing to a leader with this many uncommitted entries. */
const UNCOMMITTED_ENTRIES_MAX = 48;
const DEFAULT_LIVENESS_TICKS = 400;

type SimEvent =
  | { readonly kind: 'tick'; readonly node: NodeId; readonly incarnation: number }
  | { readonly kind: 'deliver'; readonly message: Message }
  | { readonly kind: 'fsync'; readonly node: NodeId; readonly incarnation: number }
  | { readonly kind: 'restart'; readonly node: NodeId; readonly incarnation: number }
  | { readonly kind: 'crash' | 'isolate'; readonly node: NodeId; readonly incarnation: number }
  | { readonly kind: 'peerGone'; readonly node: NodeId; readonly peer: NodeId; readonly incarnation: number }
  | { readonly kind: 'workload' }
  | { readonly kind: 'fault' }
  | { readonly kind: 'liveness' };

/** Per-run parameters drawn from the seed: the cores' tuning plus the faults and workload. */
// `applyBeforeDurable` is a run option, not drawn: a drawn field would change the logged params of old seeds.
interface RunParams extends Omit<RaftConfig, 'id' | 'random' | 'applyBeforeDurable'> {
  readonly compactEvery: number;
  readonly fsyncMaxMs: number;
  readonly workloadGapMs: number;
  readonly faultGapMs: number;
  readonly crashRate: number;
  /** Probability that a new leader crashes soon after its election (rapid turnover). */
  readonly leaderCrashRate: number;
  readonly partitionRate: number;
  readonly healRate: number;
  readonly maxDowntimeMs: number;
  readonly confChanges: boolean;
  /** Probability that a request goes to a random member instead of the leader (0: never). */
  readonly forwardRate: number;
}

function drawParams(random: Prng, options: SimulationOptions): RunParams {
  const checkQuorum = random.chance(0.8);
  return {
    electionTicks: random.int(8, 15),
    heartbeatTicks: random.int(1, 3),
    preVote: random.chance(0.8),
    checkQuorum,
    leaseReads: options.leaseReads === true && checkQuorum && random.chance(0.5),
    maxInflightAppends: random.int(1, 8),
    maxEntriesPerAppend: random.chance(0.3) ? 1 : random.int(2, 16),
    maxAppendBytes: random.int(32, 2048),
    snapshotChunkBytes: random.int(16, 512),
    compactEvery: random.int(5, 60),
    fsyncMaxMs: random.chance(0.2) ? random.int(5, 30) : random.int(1, 6),
    workloadGapMs: random.int(2, 15),
    faultGapMs: random.int(10, 40),
    crashRate: random.chance(0.15) ? 0 : random.float(0, 0.12),
    leaderCrashRate: random.chance(0.3) ? 0 : random.float(0.1, 0.7),
    partitionRate: random.float(0, 0.1),
    healRate: random.float(0.05, 0.3),
    maxDowntimeMs: random.int(5, 500),
    confChanges: random.chance(0.7),
    // Drawn last, and only with forwarding, so that runs without it replay as before.
    forwardRate: options.forwarding === false ? 0 : random.float(0.2, 0.8),
  };
}

/** Runs one seeded simulation and reports every invariant it saw broken. */
export function runSimulation(options: SimulationOptions): SimulationResult {
  return new Simulation(options).run();
}

/** The replay command for a run with these options. */
export function replayCommand(options: SimulationOptions): string {
  const flags = [
    `--seed ${options.seed}`,
    `--nodes ${options.nodes ?? 3}`,
    `--steps ${options.steps ?? DEFAULT_STEPS}`,
  ];
  if (options.leaseReads === true) flags.push('--lease-reads');
  if (options.tornWrites === false) flags.push('--no-torn-writes');
  if (options.forwarding === false) flags.push('--no-forwarding');
  if (options.pipelined === true) flags.push('--pipelined');
  if (options.applyBeforeDurable === true) flags.push('--apply-before-durable');
  if (options.peerGone === true) flags.push('--peer-gone');
  if (options.snapshotReadFaults === true) flags.push('--snapshot-read-faults');
  return `npm run sim -- ${flags.join(' ')}`;
}

class Simulation {
  private readonly random: Prng;
  private readonly params: RunParams;
  private readonly network: SimNetwork;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly nodes = new Map<NodeId, SimNode>();
  private readonly checker: SafetyChecker;
  private readonly createRaft: CreateRaft;
  private readonly stepLimit: number;
  private readonly livenessTicks: number;
  private readonly tornWrites: boolean;
  private readonly pipelined: boolean;
  private readonly applyBeforeDurable: boolean;
  /** Chance per fault event of a link reset between two running members (0: no hints at all). */
  private readonly linkResetRate: number;
  /** Chance that a snapshot chunk read fails, and the draws for it (null: reads never fail). */
  private snapshotReadFailRate = 0;
  private snapshotReads: Prng | null = null;
  private readonly stopOnViolation: boolean;
  private readonly nodeCount: number;
  private readonly stats: SimulationStats = {
    elections: 0,
    maxTerm: 0,
    proposals: 0,
    proposalsRejected: 0,
    acknowledgedWrites: 0,
    forwarded: 0,
    forwardedWritesAcknowledged: 0,
    committedIndex: 0,
    readsStarted: 0,
    readsServed: 0,
    readsFailed: 0,
    confChanges: 0,
    transfers: 0,
    crashes: 0,
    restarts: 0,
    entriesLostAtCrash: 0,
    partitions: 0,
    messagesSent: 0,
    messagesDropped: 0,
    messagesDuplicated: 0,
    snapshotsTaken: 0,
    snapshotsInstalled: 0,
    readysOverlapped: 0,
    appliedBeforeDurable: 0,
    peerGoneHints: 0,
    peerGoneOfLeader: 0,
    snapshotReadsFailed: 0,
    crashesBehindApplied: 0,
    livenessTicks: 0,
    simulatedMs: 0,
  };
  private readonly trace: string[] = [];
  private readonly keepTrace: boolean;
  private traceHash = 0x811c9dc5;
  private now = 0;
  private steps = 0;
  private phase: 'safety' | 'liveness' | 'done' = 'safety';
  private nextNodeNumber: number;
  private writeId = 0;
  private readId = 0;
  private marker: { index: number; term: number; node: NodeId } | null = null;

  constructor(private readonly options: SimulationOptions) {
    this.random = new Prng(options.seed);
    this.nodeCount = options.nodes ?? 3;
    this.stepLimit = options.steps ?? DEFAULT_STEPS;
    this.livenessTicks = options.livenessTicks ?? DEFAULT_LIVENESS_TICKS;
    this.tornWrites = options.tornWrites ?? true;
    this.pipelined = options.pipelined ?? false;
    this.applyBeforeDurable = options.applyBeforeDurable ?? false;
    this.stopOnViolation = options.stopOnViolation ?? true;
    this.keepTrace = options.trace ?? false;
    this.createRaft = options.createRaft ?? ((config, initial) => new Raft(config, initial));
    this.params = drawParams(this.random, options);
    this.network = new SimNetwork(this.random.fork(), drawNetworkFaults(this.random));
    // Drawn after everything else, and only with hints, so that runs without them replay as before.
    this.linkResetRate = options.peerGone === true ? this.random.float(0.01, 0.2) : 0;
    // Likewise: drawn last, and only with the option.
    if (options.snapshotReadFaults === true) {
      this.snapshotReadFailRate = this.random.float(0.1, 0.7);
      this.snapshotReads = this.random.fork();
    }
    this.nextNodeNumber = this.nodeCount + 1;
    const voters = Array.from({ length: this.nodeCount }, (_, i) => `n${i + 1}`);
    const conf: ConfState = { voters, learners: [] };
    this.checker = new SafetyChecker(conf);
    // Runs without forwarding log their parameters as before it existed: their traces stay equal.
    const { forwardRate, ...logged } = this.params;
    const params = forwardRate === 0 ? logged : this.params;
    this.log(`params ${JSON.stringify(params)} net ${JSON.stringify(this.network.faults)}`);
    if (this.linkResetRate > 0) this.log(`peerGone hints, link resets at ${this.linkResetRate}`);
    if (this.snapshotReads !== null) this.log(`snapshot reads fail at ${this.snapshotReadFailRate}`);
  }

  run(): SimulationResult {
    const voters = this.checker.latestConf.voters;
    for (const id of voters) {
      this.addNode(id, Raft.bootstrap({ voters, learners: [] }), false);
    }
    this.queue.push(this.params.workloadGapMs, { kind: 'workload' });
    this.queue.push(this.params.faultGapMs, { kind: 'fault' });
    while (this.steps < this.stepLimit && !this.halted()) {
      if (!this.step()) break;
    }
    if (!this.halted()) this.runLiveness();
    this.stats.simulatedMs = this.now;
    this.stats.committedIndex = this.checker.highestCommitted;
    return {
      seed: this.options.seed,
      nodes: this.nodeCount,
      steps: this.steps,
      violations: this.checker.violations,
      stats: this.stats,
      traceHash: (this.traceHash >>> 0).toString(16).padStart(8, '0'),
      trace: this.trace,
      replay: replayCommand(this.options),
    };
  }

  private halted(): boolean {
    return this.stopOnViolation && this.checker.violations.length > 0;
  }

  // ---- the event loop -------------------------------------------------------------------

  private step(): boolean {
    const next = this.queue.pop();
    if (next === undefined) return false;
    this.now = next.timeMs;
    this.steps++;
    this.checker.step = this.steps;
    this.checker.timeMs = this.now;
    const touched = this.handle(next.event);
    if (touched !== null) this.afterCoreCall(touched);
    this.checker.checkDurability(this.durableImages());
    this.checker.checkElectable(this.currentImages());
    return true;
  }

  /** Runs one event; returns the member whose core it touched, if any. */
  private handle(event: SimEvent): SimNode | null {
    switch (event.kind) {
      case 'tick': {
        const node = this.nodes.get(event.node);
        if (node === undefined || node.incarnation !== event.incarnation || node.raft === null) return null;
        this.queue.push(this.now + TICK_MS, event);
        this.log(`tick ${node.id}`);
        this.coreCall(node, 'tick', (raft) => raft.tick());
        return node;
      }
      case 'deliver': {
        const m = event.message;
        const node = this.nodes.get(m.to);
        if (node === undefined || node.raft === null || this.network.isBlocked(m.from, m.to)) {
          this.log(`lost ${describe(m)}`);
          return null;
        }
        this.log(`deliver ${describe(m)}`);
        this.coreCall(node, 'step', (raft) => raft.step(m));
        return node;
      }
      case 'fsync': {
        const node = this.nodes.get(event.node);
        if (node === undefined || node.incarnation !== event.incarnation) return null;
        if (node.inflight === null && node.accepted.length === 0) return null;
        this.log(`fsync ${node.id}`);
        // One fsync makes every write so far durable: every accepted Ready is persisted, in order.
        node.disk.sync();
        this.finishAccepted(node);
        if (node.inflight !== null) this.finishReady(node, node.inflight);
        else this.compact(node);
        return node;
      }
      case 'restart': {
        const node = this.nodes.get(event.node);
        if (node === undefined || node.status !== 'crashed' || node.incarnation !== event.incarnation) return null;
        this.restart(node);
        return node;
      }
      case 'crash':
      case 'isolate': {
        const node = this.nodes.get(event.node);
        if (node === undefined || node.raft === null || node.incarnation !== event.incarnation) return null;
        // Faults scheduled during the safety phase must not strike the healed cluster.
        if (this.phase !== 'safety') return null;
        if (event.kind === 'crash') {
          this.crash(node);
        } else if (!this.network.partitioned) {
          const others = [...this.nodes.keys()].filter((id) => id !== node.id);
          this.network.partition([node.id], others, false);
          this.stats.partitions++;
          this.log(`isolate ${node.id}`);
          this.hintCut([node.id], others);
        }
        return null;
      }
      case 'peerGone': {
        const node = this.nodes.get(event.node);
        if (node === undefined || node.raft === null || node.incarnation !== event.incarnation) return null;
        this.log(`peerGone ${node.id} hears ${event.peer}`);
        this.stats.peerGoneHints++;
        if (node.role === 'follower' && this.coreCall(node, 'status', (raft) => raft.status().leader) === event.peer) {
          this.stats.peerGoneOfLeader++;
        }
        this.coreCall(node, 'peerGone', (raft) => raft.peerGone(event.peer));
        return node;
      }
      case 'workload':
        if (this.phase === 'safety') {
          this.workload();
          this.queue.push(this.now + this.random.int(1, this.params.workloadGapMs), { kind: 'workload' });
        }
        return null;
      case 'fault':
        if (this.phase === 'safety') {
          this.fault();
          this.queue.push(this.now + this.random.int(1, this.params.faultGapMs), { kind: 'fault' });
        }
        return null;
      case 'liveness':
        this.livenessCheck();
        if (this.phase === 'liveness') this.queue.push(this.now + TICK_MS, event);
        return null;
    }
  }

  /** Calls into a core; an exception from the core is a violation, not a simulator crash. */
  private coreCall<T>(node: SimNode, what: string, call: (raft: Raft) => T): T | undefined {
    const raft = node.raft;
    if (raft === null) return undefined;
    try {
      return call(raft);
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.checker.report('core-error', `${node.id}.${what}() threw: ${text}`);
      return undefined;
    }
  }

  /** After the core changed: observe its role, then drain its output. */
  private afterCoreCall(node: SimNode): void {
    this.observeRole(node);
    this.drive(node);
  }

  private observeRole(node: SimNode): void {
    const status = this.coreCall(node, 'status', (raft) => raft.status());
    if (status === undefined) return;
    node.role = status.role;
    node.term = status.term;
    if (status.term > this.stats.maxTerm) this.stats.maxTerm = status.term;
    if (this.checker.observeRole(node.id, status.role === 'leader', status.term)) {
      this.stats.elections++;
      node.completenessTerm = status.term;
      this.log(`leader ${node.id} term ${status.term}`);
      if (this.phase === 'safety' && this.random.chance(this.params.leaderCrashRate)) {
        // A fresh leader that dies or is cut off before its first entries spread leaves
        // higher-term entries on a minority: the raw material of Figure 8 of the paper.
        const at = this.now + this.random.int(1, 10 * this.params.heartbeatTicks);
        const kind = this.random.chance(0.5) ? 'crash' : 'isolate';
        this.queue.push(at, { kind, node: node.id, incarnation: node.incarnation });
      }
    }
  }

  // ---- the Ready contract ---------------------------------------------------------------

  /** Takes the next `Ready` unless one is still waiting for its fsync. */
  private drive(node: SimNode): void {
    for (let guard = 0; guard < 1000; guard++) {
      if (node.raft === null || node.inflight !== null || this.halted()) return;
      if (this.coreCall(node, 'hasReady', (raft) => raft.hasReady()) !== true) return;
      const ready = this.coreCall(node, 'ready', (raft) => raft.ready());
      if (ready === undefined) return;
      this.observeRole(node);
      if (!this.persist(node, ready)) return;
    }
    this.checker.report('core-error', `${node.id} kept producing Ready batches without end`);
  }

  /**
   * Step 1 of the contract: write snapshot, entries and hard state. They become durable when
   * the simulated fsync completes; only then does the rest of the batch run. Returns true when
   * the batch completed synchronously (nothing to persist).
   */
  private persist(node: SimNode, ready: Ready): boolean {
    const durableHardState = node.disk.durable.hardState;
    if (ready.snapshot !== null) {
      this.checker.observeSnapshot(node.id, ready.snapshot.meta);
      node.disk.write({ kind: 'snapshot', snapshot: ready.snapshot });
      node.view.installSnapshot(ready.snapshot);
    }
    const first = ready.entries[0];
    if (first !== undefined) {
      if (node.role === 'leader' && node.leaderWriteTerm === node.term && first.index <= node.view.lastIndex) {
        this.checker.report(
          'leader-append-only',
          `leader ${node.id} of term ${node.term} overwrote its log from ${first.index} (last ${node.view.lastIndex})`,
        );
      }
      if (first.index > node.view.lastIndex + 1) {
        this.checker.report(
          'log-matching',
          `${node.id} was asked to persist entries from ${first.index}, leaving a gap after its last stored ${node.view.lastIndex}`,
        );
        return false;
      }
      this.checker.observeWrite(node.id, ready.entries, node.view);
      node.disk.write({ kind: 'entries', entries: ready.entries });
      node.view.append(ready.entries);
    }
    if (node.role === 'leader') node.leaderWriteTerm = node.term;
    if (ready.hardState !== null) {
      node.disk.write({ kind: 'hardState', hardState: ready.hardState });
      node.view.hardState = ready.hardState;
    }
    if (node.completenessTerm !== null) {
      this.checker.checkLeaderLog(node.id, node.completenessTerm, node.view);
      node.completenessTerm = null;
    }
    // A new term or vote is made durable before anything else is written, as `RaftNode`
    // does: else a single voter that elected itself could write entries of a term that a
    // crash takes back, then win the same term again and write other entries at those indexes.
    const promisesChanged =
      ready.hardState !== null &&
      (ready.hardState.term !== durableHardState.term || ready.hardState.vote !== durableHardState.vote);
    if (this.pipelined && ready.snapshot === null && !promisesChanged) {
      this.accept(node, ready);
      return true;
    }
    if (node.disk.hasPending || node.accepted.length > 0) {
      node.inflight = ready;
      const delay = this.random.int(1, this.params.fsyncMaxMs);
      this.queue.push(this.now + delay, { kind: 'fsync', node: node.id, incarnation: node.incarnation });
      // Power loss while the fsync is running: the crashes that lose and tear writes.
      if (this.phase === 'safety' && this.random.chance(this.params.crashRate * 0.2)) {
        const at = this.now + this.random.int(0, delay - 1);
        this.queue.push(at, { kind: 'crash', node: node.id, incarnation: node.incarnation });
      }
      return false;
    }
    this.finishReady(node, ready);
    return true;
  }

  /**
   * Pipelined mode, for a Ready that changes neither term nor vote and has no snapshot, whose
   * writes were just issued: send what may leave before they are durable (a leader's
   * messages, a follower's forwards and read requests), apply, answer reads and accept it; the
   * held messages and `readyPersisted` wait for the next fsync (which also covers every
   * earlier write).
   */
  private accept(node: SimNode, ready: Ready): void {
    const held: Message[] = [];
    for (const message of ready.messages) {
      const early = node.role === 'leader' || message.type === 'forward' || message.type === 'readIndex';
      if (early) this.send(message);
      else held.push(message);
    }
    for (const entry of ready.committedEntries) this.apply(node, entry);
    this.takeReads(node, ready);
    this.coreCall(node, 'acceptReady', (raft) => raft.acceptReady(ready));
    if (node.accepted.length === 0 && !node.disk.hasPending) {
      for (const message of held) this.send(message);
      this.coreCall(node, 'readyPersisted', (raft) => raft.readyPersisted(ready));
      this.compact(node);
      return;
    }
    const first = node.accepted.length === 0;
    if (!first) this.stats.readysOverlapped++;
    node.accepted.push({ ready, held });
    if (!node.disk.hasPending && !first) return;
    const delay = this.random.int(1, this.params.fsyncMaxMs);
    this.queue.push(this.now + delay, { kind: 'fsync', node: node.id, incarnation: node.incarnation });
    if (this.phase === 'safety' && this.random.chance(this.params.crashRate * 0.2)) {
      const at = this.now + this.random.int(0, delay - 1);
      this.queue.push(at, { kind: 'crash', node: node.id, incarnation: node.incarnation });
    }
  }

  /** Pipelined mode: the fsync finished, so every accepted Ready is durable. */
  private finishAccepted(node: SimNode): void {
    const accepted = node.accepted;
    node.accepted = [];
    for (const { ready, held } of accepted) {
      for (const message of held) this.send(message);
      this.coreCall(node, 'readyPersisted', (raft) => raft.readyPersisted(ready));
    }
  }

  /** Steps 2-4 of the contract once the batch is durable: send, apply, answer reads, advance. */
  private finishReady(node: SimNode, ready: Ready): void {
    node.disk.sync();
    node.inflight = null;
    for (const message of ready.messages) this.send(message);
    if (ready.snapshot !== null) {
      if (ready.snapshot.meta.index < node.sm.appliedIndex) {
        this.checker.report(
          'apply-order',
          `${node.id} was handed snapshot ${ready.snapshot.meta.index} after applying ${node.sm.appliedIndex}`,
        );
      }
      node.sm.restore(ready.snapshot);
      node.lastSnapshotIndex = ready.snapshot.meta.index;
      this.stats.snapshotsInstalled++;
    }
    for (const entry of ready.committedEntries) this.apply(node, entry);
    this.takeReads(node, ready);
    this.coreCall(node, 'advance', (raft) => raft.advance(ready));
    this.compact(node);
  }

  /** Step 4: records the read indexes of `ready` and serves the reads now applied. */
  private takeReads(node: SimNode, ready: Ready): void {
    for (const read of ready.readStates) {
      this.checker.readIndexReturned(read.context, node.id, read.index);
      const pending = node.reads.find((r) => r.context === read.context);
      if (pending !== undefined) pending.index = read.index;
    }
    for (const failure of ready.readFailures) {
      this.checker.readAbandoned(failure.context);
      node.reads = node.reads.filter((r) => r.context !== failure.context);
      this.stats.readsFailed++;
    }
    this.serveReads(node);
  }

  private apply(node: SimNode, entry: Entry): void {
    if (entry.index !== node.sm.appliedIndex + 1) {
      this.checker.report('apply-order', `${node.id} applied ${entry.index} after ${node.sm.appliedIndex}`);
      return;
    }
    if (!node.disk.durable.covers(entry.index, entry.term)) this.stats.appliedBeforeDurable++;
    const write = node.sm.apply(entry);
    this.checker.observeApply(
      node.id,
      entry,
      node.disk.durable,
      entry.type === EntryType.Config ? node.sm.conf : null,
      this.applyBeforeDurable ? this.durableImages() : null,
    );
    if (write !== undefined) {
      const own = node.proposals.get(entry.index);
      if (own !== undefined && own.id === write.id && own.term === entry.term) {
        this.checker.acknowledge(write.key, entry.index);
        this.stats.acknowledgedWrites++;
      } else if (node.forwarded.get(write.id) === write.key) {
        // What a server does with a forwarded write: it recognises its request id when the
        // entry applies locally (so it is committed) and answers then, once.
        node.forwarded.delete(write.id);
        this.checker.acknowledge(write.key, entry.index);
        this.stats.acknowledgedWrites++;
        this.stats.forwardedWritesAcknowledged++;
      }
    }
    node.proposals.delete(entry.index);
  }

  private serveReads(node: SimNode): void {
    const waiting: SimNode['reads'] = [];
    for (const read of node.reads) {
      if (read.index !== null && read.index <= node.sm.appliedIndex) {
        this.checker.readServed(read.context, node.sm.get(read.key)?.index ?? 0);
        this.stats.readsServed++;
      } else {
        waiting.push(read);
      }
    }
    node.reads = waiting;
  }

  /** The compaction policy: snapshot every `compactEvery` applied entries. */
  private compact(node: SimNode): void {
    if (node.raft === null || node.sm.appliedIndex - node.lastSnapshotIndex < this.params.compactEvery) return;
    // Compaction rewrites the disk at once; it waits until no write is in flight.
    if (node.disk.hasPending || node.accepted.length > 0) return;
    const snapshot = node.sm.snapshot();
    this.coreCall(node, 'compact', (raft) => raft.compact(snapshot));
    const reads = this.snapshotReads;
    if (reads !== null) {
      const inMemory = bytesInMemory(snapshot.data);
      const bytes: SnapshotBytes = {
        byteLength: inMemory.byteLength,
        read: (offset, length) => {
          if (!reads.chance(this.snapshotReadFailRate)) return inMemory.read(offset, length);
          this.stats.snapshotReadsFailed++;
          return null;
        },
      };
      this.coreCall(node, 'serveSnapshotFrom', (raft) => raft.serveSnapshotFrom(snapshot.meta, bytes));
    }
    node.disk.saveSnapshot(snapshot);
    node.view = node.disk.durable.clone();
    node.lastSnapshotIndex = snapshot.meta.index;
    this.stats.snapshotsTaken++;
    this.log(`compact ${node.id} ${snapshot.meta.index}`);
  }

  private send(message: Message): void {
    this.stats.messagesSent++;
    const delays = this.network.deliveries(message.from, message.to);
    if (delays.length === 0) this.stats.messagesDropped++;
    if (delays.length > 1) this.stats.messagesDuplicated++;
    for (const delay of delays) this.queue.push(this.now + delay, { kind: 'deliver', message });
  }

  // ---- members: start, crash, restart, remove --------------------------------------------

  private addNode(id: NodeId, initial: RaftInitialState, pendingAdd: boolean): SimNode {
    const random = this.random.fork();
    const config: RaftConfig = {
      ...defaultRaftConfig,
      id,
      electionTicks: this.params.electionTicks,
      heartbeatTicks: this.params.heartbeatTicks,
      preVote: this.params.preVote,
      checkQuorum: this.params.checkQuorum,
      leaseReads: this.params.leaseReads,
      maxInflightAppends: this.params.maxInflightAppends,
      maxEntriesPerAppend: this.params.maxEntriesPerAppend,
      maxAppendBytes: this.params.maxAppendBytes,
      snapshotChunkBytes: this.params.snapshotChunkBytes,
      applyBeforeDurable: this.applyBeforeDurable,
      random: () => random.next(),
    };
    const disk = new SimDisk(initial);
    const node: SimNode = {
      id,
      config,
      random,
      disk,
      view: disk.durable.clone(),
      raft: null,
      sm: this.newStateMachine(),
      status: 'crashed',
      incarnation: 0,
      inflight: null,
      accepted: [],
      role: 'follower',
      term: 0,
      leaderWriteTerm: 0,
      completenessTerm: null,
      reads: [],
      proposals: new Map(),
      forwarded: new Map(),
      lastSnapshotIndex: 0,
      pendingAdd,
    };
    this.nodes.set(id, node);
    this.restart(node);
    return node;
  }

  private newStateMachine(): KvStateMachine {
    return new KvStateMachine((entry) => decodeConfChange(entry.data) ?? undefined);
  }

  /** Starts a member from exactly what its disk holds. */
  private restart(node: SimNode): void {
    if (node.status === 'crashed' && node.incarnation > 0) this.stats.restarts++;
    node.incarnation++;
    node.view = node.disk.durable.clone();
    node.sm = this.newStateMachine();
    const snapshot = node.disk.durable.snapshot;
    if (snapshot !== null) node.sm.restore(snapshot);
    node.lastSnapshotIndex = snapshot?.meta.index ?? 0;
    node.status = 'running';
    node.inflight = null;
    node.accepted = [];
    node.role = 'follower';
    node.term = node.disk.durable.hardState.term;
    node.leaderWriteTerm = 0;
    node.completenessTerm = null;
    try {
      node.raft = this.createRaft(node.config, node.disk.load());
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.checker.report('core-error', `${node.id}: new Raft() threw on restart: ${text}`);
      node.raft = null;
      return;
    }
    this.log(`start ${node.id} inc ${node.incarnation}`);
    // Members tick out of phase with each other, as real clocks would.
    this.queue.push(this.now + this.random.int(1, TICK_MS), {
      kind: 'tick',
      node: node.id,
      incarnation: node.incarnation,
    });
  }

  private crash(node: SimNode): void {
    const lost = node.disk.crash(node.random, this.tornWrites);
    this.stats.crashes++;
    if (node.sm.appliedIndex > node.disk.durable.lastIndex) this.stats.crashesBehindApplied++;
    this.stats.entriesLostAtCrash += lost;
    this.log(`crash ${node.id} lost ${lost}`);
    this.dropVolatile(node, 'crashed');
    this.hintGone(node.id, this.running());
    const downtime = this.random.int(1, this.params.maxDowntimeMs);
    this.queue.push(this.now + downtime, { kind: 'restart', node: node.id, incarnation: node.incarnation });
  }

  private dropVolatile(node: SimNode, status: 'crashed' | 'removed'): void {
    for (const read of node.reads) this.checker.readAbandoned(read.context);
    node.reads = [];
    node.proposals = new Map();
    node.forwarded = new Map();
    node.raft = null;
    node.inflight = null;
    node.accepted = [];
    node.status = status;
    node.view = node.disk.durable.clone();
    node.incarnation++;
  }

  /** Stops members the committed configuration no longer has (an operator shuts them down). */
  private retireRemoved(): void {
    const conf = this.checker.latestConf;
    for (const id of [...conf.voters, ...conf.learners]) {
      // A learner added through a forward: its member starts once the change is seen committed
      // (the submitter cannot know whether the leader took it).
      if (!this.nodes.has(id)) {
        this.log(`join ${id}`);
        this.addNode(id, { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] }, false);
      }
    }
    for (const node of this.nodes.values()) {
      const member = conf.voters.includes(node.id) || conf.learners.includes(node.id);
      if (member) node.pendingAdd = false;
      if (!member && !node.pendingAdd && node.status !== 'removed') {
        if (this.soleVoterStillCounts(conf, node.id)) continue;
        this.log(`retire ${node.id}`);
        this.dropVolatile(node, 'removed');
        this.hintGone(node.id, this.running());
      }
    }
  }

  /**
   * A removal that leaves a single voter which has not applied it yet: that voter still needs
   * the removed member's vote to elect itself and learn the commit (two voters are a majority
   * of two), so the operator waits before shutting the removed member down. Every other
   * removal leaves a majority of the old configuration without it.
   */
  private soleVoterStillCounts(conf: ConfState, removed: NodeId): boolean {
    const sole = conf.voters.length === 1 ? this.nodes.get(conf.voters[0] as NodeId) : undefined;
    if (sole === undefined || sole.status === 'removed') return false;
    return sole.sm.conf.voters.includes(removed);
  }

  private durableImages(): Map<NodeId, DiskImage> {
    const out = new Map<NodeId, DiskImage>();
    for (const node of this.nodes.values()) out.set(node.id, node.disk.durable);
    return out;
  }

  private currentImages(): Map<NodeId, DiskImage> {
    const out = new Map<NodeId, DiskImage>();
    for (const node of this.nodes.values()) out.set(node.id, node.view);
    return out;
  }

  private running(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.raft !== null);
  }

  private leaders(): SimNode[] {
    return this.running().filter((n) => n.role === 'leader');
  }

  // ---- workload and faults --------------------------------------------------------------

  private workload(): void {
    this.retireRemoved();
    const roll = this.random.next();
    const running = this.running();
    if (running.length === 0) return;
    const leaders = this.leaders();
    if (roll < 0.55) {
      if (this.forwardNow()) this.submitWrite(this.random.pick(running));
      else if (leaders.length > 0) this.proposeWrite(this.random.pick(leaders));
    } else if (roll < 0.8) {
      this.startRead(this.random.pick(running));
    } else if (roll < 0.88) {
      if (!this.params.confChanges) return;
      if (this.forwardNow()) this.changeMembership(this.random.pick(running));
      else if (leaders.length > 0) this.changeMembership(this.random.pick(leaders));
    } else if (roll < 0.93) {
      if (this.forwardNow()) this.transfer(this.random.pick(running));
      else if (leaders.length > 0) this.transfer(this.random.pick(leaders));
    } else if (roll < 0.95) {
      const node = this.random.pick(running);
      this.log(`campaign ${node.id}`);
      this.coreCall(node, 'campaign', (raft) => raft.campaign());
      this.afterCoreCall(node);
    }
  }

  /** True when this request goes to any member (drawn only in runs with forwarding). */
  private forwardNow(): boolean {
    return this.params.forwardRate > 0 && this.random.chance(this.params.forwardRate);
  }

  /** A write submitted on any member: proposed there if it leads, else forwarded. */
  private submitWrite(node: SimNode): void {
    // Backpressure as in proposeWrite, measured at the leader this member would forward to.
    const status = this.coreCall(node, 'status', (raft) => raft.status());
    if (status === undefined) return;
    const leader = status.leader === null ? undefined : this.nodes.get(status.leader);
    const leaderStatus =
      leader === undefined || leader.raft === null ? status : this.coreCall(leader, 'status', (raft) => raft.status());
    if (leaderStatus === undefined || leaderStatus.lastIndex - leaderStatus.commit >= UNCOMMITTED_ENTRIES_MAX) return;
    const id = ++this.writeId;
    const key = `k${this.random.int(1, KEY_COUNT)}`;
    const result = this.coreCall(node, 'submit', (raft) => raft.submit(encodeWrite({ id, key, value: `v${id}` })));
    this.stats.proposals++;
    if (result?.ok !== true) {
      this.stats.proposalsRejected++;
    } else if (result.forwardedTo === null) {
      node.proposals.set(result.index, { id, key, term: result.term });
      this.log(`submit ${node.id} w${id} at ${result.index}/${result.term}`);
    } else {
      node.forwarded.set(id, key);
      this.stats.forwarded++;
      this.log(`submit ${node.id} w${id} forwarded to ${result.forwardedTo}`);
    }
    this.afterCoreCall(node);
  }

  private proposeWrite(node: SimNode): void {
    // Client backpressure, as a real service would apply it: without it a slow pipeline
    // (one entry in flight, slow fsync) builds a backlog no liveness budget can drain.
    const status = this.coreCall(node, 'status', (raft) => raft.status());
    if (status === undefined || status.lastIndex - status.commit >= UNCOMMITTED_ENTRIES_MAX) return;
    const id = ++this.writeId;
    const key = `k${this.random.int(1, KEY_COUNT)}`;
    const result = this.coreCall(node, 'propose', (raft) => raft.propose(encodeWrite({ id, key, value: `v${id}` })));
    this.stats.proposals++;
    if (result?.ok === true) {
      node.proposals.set(result.index, { id, key, term: result.term });
      this.log(`propose ${node.id} w${id} at ${result.index}/${result.term}`);
    } else {
      this.stats.proposalsRejected++;
    }
    this.afterCoreCall(node);
  }

  private startRead(node: SimNode): void {
    const context = `r${++this.readId}`;
    const key = `k${this.random.int(1, KEY_COUNT)}`;
    this.checker.startRead(context, node.id, key);
    node.reads.push({ context, key, index: null });
    this.stats.readsStarted++;
    this.log(`read ${node.id} ${context} ${key}`);
    this.coreCall(node, 'readIndex', (raft) => raft.readIndex(context));
    this.afterCoreCall(node);
  }

  /**
   * Add a learner, promote it, remove a voter: keeps the voter count near the initial size.
   * Made on the leader, or on any member (which forwards it, judging by its own configuration).
   */
  private changeMembership(leader: SimNode): void {
    const status = this.coreCall(leader, 'status', (raft) => raft.status());
    if (status === undefined) return;
    const conf = status.conf;
    let change: ConfChange;
    const learner = conf.learners[0];
    if (learner !== undefined) {
      change = { kind: 'promoteLearner', node: learner };
    } else if (conf.voters.length > Math.max(2, this.nodeCount - 1) && this.random.chance(0.5)) {
      change = { kind: 'removeNode', node: this.random.pick(conf.voters) };
    } else if (conf.voters.length <= this.nodeCount) {
      change = { kind: 'addLearner', node: `n${this.nextNodeNumber}` };
    } else {
      return;
    }
    const result = this.coreCall(leader, 'submitConfChange', (raft) => raft.submitConfChange(change));
    const forwardedTo = result?.ok === true ? result.forwardedTo : null;
    this.log(
      `conf ${leader.id} ${change.kind} ${'node' in change ? change.node : ''} ${result?.ok === true}${forwardedTo === null ? '' : ` forwarded to ${forwardedTo}`}`,
    );
    if (result?.ok === true) {
      this.stats.confChanges++;
      if (forwardedTo !== null) this.stats.forwarded++;
      if (change.kind === 'addLearner') {
        // Ids are never reused, even when a forwarded change never makes it.
        this.nextNodeNumber++;
        if (forwardedTo === null) {
          const empty = { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] };
          this.addNode(change.node, empty, true);
        }
      }
    }
    this.afterCoreCall(leader);
  }

  private transfer(leader: SimNode): void {
    const status = this.coreCall(leader, 'status', (raft) => raft.status());
    // A follower may ask for itself too; nobody asks for the leader it already has.
    const current = status?.leader ?? leader.id;
    const targets = status?.conf.voters.filter((v) => v !== current) ?? [];
    if (targets.length === 0) return;
    const target = this.random.pick(targets);
    const result = this.coreCall(leader, 'submitTransfer', (raft) => raft.submitTransfer(target));
    const forwardedTo = result?.ok === true ? result.forwardedTo : null;
    if (result?.ok === true) this.stats.transfers++;
    if (forwardedTo !== null) this.stats.forwarded++;
    this.log(
      `transfer ${leader.id} -> ${target} ${result?.ok === true}${forwardedTo === null ? '' : ` forwarded to ${forwardedTo}`}`,
    );
    this.afterCoreCall(leader);
  }

  private fault(): void {
    const running = this.running();
    if (running.length > 0 && this.random.chance(this.params.crashRate)) {
      const leaders = this.leaders();
      const victim =
        leaders.length > 0 && this.random.chance(0.3) ? this.random.pick(leaders) : this.random.pick(running);
      this.crash(victim);
    }
    const ids = [...this.nodes.values()].filter((n) => n.status !== 'removed').map((n) => n.id);
    if (!this.network.partitioned && ids.length > 1 && this.random.chance(this.params.partitionRate)) {
      const shuffled = this.random.shuffle(ids);
      const cut = this.random.int(1, Math.floor(ids.length / 2));
      const a = shuffled.slice(0, cut);
      const b = shuffled.slice(cut);
      const oneWay = this.random.chance(0.3);
      this.network.partition(a, b, oneWay);
      this.stats.partitions++;
      this.log(`partition [${a.join(',')}] ${oneWay ? '->' : '<->'} [${b.join(',')}]`);
      this.hintCut(a, b);
    } else if (this.network.partitioned && this.random.chance(this.params.healRate)) {
      this.network.heal();
      this.log('heal');
    }
    if (this.linkResetRate > 0 && running.length > 1 && this.random.chance(this.linkResetRate)) {
      // A link reset: the hearer's peer is still running, and its next message is heard as usual.
      const [hearer, peer] = this.random.shuffle(running);
      if (hearer !== undefined && peer !== undefined && peer.raft !== null) this.hintGone(peer.id, [hearer]);
    }
  }

  /** With hints on: each of `hearers` (still running) hears soon that `gone`'s connections closed. */
  private hintGone(gone: NodeId, hearers: readonly SimNode[]): void {
    if (this.linkResetRate === 0) return;
    for (const hearer of hearers) {
      if (hearer.id === gone) continue;
      this.queue.push(this.now + this.random.int(1, 20), {
        kind: 'peerGone',
        node: hearer.id,
        peer: gone,
        incarnation: hearer.incarnation,
      });
    }
  }

  /** With hints on: half the partitions close the connections across the cut (a proxy, a firewall reset). */
  private hintCut(a: readonly NodeId[], b: readonly NodeId[]): void {
    if (this.linkResetRate === 0 || !this.random.chance(0.5)) return;
    const running = (ids: readonly NodeId[]): SimNode[] =>
      ids.map((id) => this.nodes.get(id)).filter((n): n is SimNode => n !== undefined && n.raft !== null);
    for (const id of a) this.hintGone(id, running(b));
    for (const id of b) this.hintGone(id, running(a));
  }

  // ---- liveness ---------------------------------------------------------------------------

  /** Heals everything, restarts every member and requires a commit on all of them in time. */
  private runLiveness(): void {
    this.phase = 'liveness';
    this.log('liveness');
    this.network.heal();
    this.network.faults = healedFaults(this.network.faults);
    this.retireRemoved();
    for (const node of this.nodes.values()) if (node.status === 'crashed') this.restart(node);
    const deadline = this.now + this.livenessTicks * TICK_MS;
    const start = this.now;
    this.queue.push(this.now + TICK_MS, { kind: 'liveness' });
    while (this.phase === 'liveness' && !this.halted() && this.now <= deadline) {
      if (!this.step()) break;
    }
    this.stats.livenessTicks = Math.ceil((this.now - start) / TICK_MS);
    if (this.phase === 'liveness' && !this.halted()) {
      this.checker.report(
        'liveness',
        `no commit on every member within ${this.livenessTicks} ticks: ${this.summary()}`,
      );
    }
  }

  private livenessCheck(): void {
    this.retireRemoved();
    const conf = this.checker.latestConf;
    const members = [...conf.voters, ...conf.learners]
      .map((id) => this.nodes.get(id))
      .filter((n): n is SimNode => n !== undefined);
    const marker = this.marker;
    if (marker !== null && this.checker.committedTerm(marker.index) === marker.term) {
      if (members.every((n) => n.sm.appliedIndex >= marker.index)) {
        this.log(`live at ${marker.index}`);
        this.phase = 'done';
        return;
      }
    }
    const leaders = this.leaders();
    const maxTerm = Math.max(0, ...this.running().map((n) => n.term));
    const leader = leaders.find((n) => n.term === maxTerm);
    if (leader === undefined) return;
    if (marker !== null && marker.node === leader.id && marker.term === leader.term) return;
    const id = ++this.writeId;
    const result = this.coreCall(leader, 'propose', (raft) =>
      raft.propose(encodeWrite({ id, key: 'live', value: `v${id}` })),
    );
    if (result?.ok === true) {
      this.marker = { index: result.index, term: result.term, node: leader.id };
      this.log(`marker ${leader.id} ${result.index}/${result.term}`);
    }
    this.afterCoreCall(leader);
  }

  private summary(): string {
    return [...this.nodes.values()]
      .filter((n) => n.status !== 'removed')
      .map((n) => {
        const status = n.raft === null ? undefined : this.coreCall(n, 'status', (raft) => raft.status());
        const voters = status === undefined ? '?' : `voters [${status.conf.voters.join(',')}]`;
        return `${n.id}:${n.status}/${n.role}/t${n.term}/applied ${n.sm.appliedIndex}/last ${n.view.lastIndex}/${voters}`;
      })
      .join(' ');
  }

  private log(line: string): void {
    const text = `${this.now} ${line}`;
    this.traceHash = fnv1a(text, this.traceHash);
    this.traceHash = fnv1a('\n', this.traceHash);
    if (this.keepTrace) this.trace.push(text);
  }
}

function describe(m: Message): string {
  const base = `${m.type} ${m.from}->${m.to} t${m.term}`;
  switch (m.type) {
    case 'append':
      return `${base} prev ${m.prevIndex}/${m.prevTerm} n${m.entries.length} c${m.commit}`;
    case 'appendResp':
      return `${base} ${m.success ? 'ok' : 'rej'} ${m.index} hint ${m.hintIndex}/${m.hintTerm}`;
    case 'vote':
    case 'preVote':
      return `${base} last ${m.lastLogIndex}/${m.lastLogTerm}${m.force ? ' force' : ''}`;
    case 'voteResp':
    case 'preVoteResp':
      return `${base} ${m.granted ? 'granted' : 'rejected'}`;
    case 'heartbeat':
      return `${base} c${m.commit} r${m.readRound}`;
    case 'commit':
      return `${base} at ${m.index}/${m.logTerm} c${m.commit}`;
    case 'snapshot':
      return `${base} ${m.meta.index}/${m.meta.term} @${m.offset}${m.done ? ' done' : ''}`;
    case 'snapshotResp':
      return `${base} ${m.snapshotIndex} @${m.offset} ${m.success}`;
    case 'readIndexResp':
      return `${base} ${m.context} ${m.index}`;
    case 'forward':
      return `${base} ${m.request.kind === 'entries' ? `n${m.request.entries.length}` : m.request.kind}`;
    default:
      return base;
  }
}
