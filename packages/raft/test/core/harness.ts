/**
 * A tiny in-memory cluster for the core's scenario tests: each member has a Raft core, an
 * emulated durable storage that follows the `Ready` contract, and a state machine that records
 * applied payloads. Messages wait in one network queue until a test delivers them.
 */
import { decodeConfChange } from '../../src/core/conf-change';
import { defaultRaftConfig, Raft, type RaftConfig, type RaftInitialState } from '../../src/core/raft';
import {
  type ConfState,
  type Entry,
  EntryType,
  type ForwardRequest,
  type HardState,
  type Message,
  type NodeId,
  type Ready,
  type Snapshot,
} from '../../src/core/types';
import { mulberry32 } from '../../src/sim/prng';

/** Seeded generator so that election timeouts replay. */
export const seededRandom = mulberry32;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function formatData(entry: Entry): string {
  if (entry.type === EntryType.Config) {
    const change = decodeConfChange(entry.data);
    if (change === null) return 'conf(?)';
    if (change.kind === 'bootstrap') return `conf(bootstrap ${formatConf(change.conf)})`;
    return `conf(${change.kind} ${change.node})`;
  }
  if (entry.data.length === 0) return 'noop';
  return JSON.stringify(decoder.decode(entry.data));
}

export function formatEntry(entry: Entry): string {
  return `${entry.index}@${entry.term} ${formatData(entry)}`;
}

export function formatConf(conf: ConfState): string {
  const learners = conf.learners.length > 0 ? ` learners=${conf.learners.join(',')}` : '';
  return `voters=${conf.voters.join(',')}${learners}`;
}

export function formatMessage(m: Message): string {
  const head = `${m.from}->${m.to} ${m.type} t${m.term}`;
  switch (m.type) {
    case 'preVote':
    case 'vote':
      return `${head} last=${m.lastLogIndex}@${m.lastLogTerm}${m.force ? ' force' : ''}`;
    case 'preVoteResp':
    case 'voteResp':
      return `${head} ${m.granted ? 'granted' : 'rejected'}`;
    case 'append': {
      const entries = m.entries.length > 0 ? ` [${m.entries.map(formatEntry).join(', ')}]` : '';
      return `${head} prev=${m.prevIndex}@${m.prevTerm} commit=${m.commit}${entries}`;
    }
    case 'appendResp':
      return m.success
        ? `${head} ok index=${m.index}`
        : `${head} reject index=${m.index} hint=${m.hintIndex}@${m.hintTerm}`;
    case 'heartbeat':
      return `${head} commit=${m.commit}${m.readRound > 0 ? ` round=${m.readRound}` : ''}`;
    case 'heartbeatResp':
      return `${head}${m.readRound > 0 ? ` round=${m.readRound}` : ''}`;
    case 'commit':
      return `${head} at=${m.index}@${m.logTerm} commit=${m.commit}`;
    case 'snapshot':
      return `${head} snap=${m.meta.index}@${m.meta.term} offset=${m.offset} bytes=${m.chunk.length}/${m.totalBytes}${m.done ? ' done' : ''}`;
    case 'snapshotResp':
      return `${head} snap=${m.snapshotIndex} offset=${m.offset} ${m.success ? 'ok' : 'fail'}${m.done ? ' done' : ''}`;
    case 'timeoutNow':
      return head;
    case 'readIndex':
      return `${head} ctx=${m.context}`;
    case 'readIndexResp':
      return `${head} ctx=${m.context} index=${m.index}`;
    case 'forward':
      return `${head} ${formatForward(m.request)}`;
  }
}

function formatForward(request: ForwardRequest): string {
  switch (request.kind) {
    case 'entries':
      return `entries [${request.entries.map((data) => JSON.stringify(decoder.decode(data))).join(', ')}]`;
    case 'confChange':
      return `conf(${request.change.kind} ${request.change.node})`;
    case 'transfer':
      return `transfer to ${request.target}`;
  }
}

/** Durable state of one member, updated exactly as the Ready contract says. */
export class MemoryStorage {
  hardState: HardState;
  snapshot: Snapshot | null;
  entries: Entry[];

  constructor(initial: RaftInitialState) {
    this.hardState = initial.hardState;
    this.snapshot = initial.snapshot;
    this.entries = [...initial.entries];
  }

  persist(ready: Ready): void {
    if (ready.snapshot !== null) {
      const { index, term } = ready.snapshot.meta;
      const at = this.entries.find((e) => e.index === index);
      this.entries = at !== undefined && at.term === term ? this.entries.filter((e) => e.index > index) : [];
      this.snapshot = ready.snapshot;
    }
    const first = ready.entries[0];
    if (first !== undefined) {
      this.entries = this.entries.filter((e) => e.index < first.index);
      this.entries.push(...ready.entries);
    }
    if (ready.hardState !== null) this.hardState = ready.hardState;
  }

  compact(snapshot: Snapshot): void {
    this.snapshot = snapshot;
    this.entries = this.entries.filter((e) => e.index > snapshot.meta.index);
  }

  state(): RaftInitialState {
    return { hardState: this.hardState, snapshot: this.snapshot, entries: [...this.entries] };
  }
}

/** One member: its core, storage and applied state (the list of applied payloads). */
export class TestNode {
  raft: Raft;
  readonly storage: MemoryStorage;
  /** The "state machine": payloads of applied normal entries, in order. */
  applied: string[] = [];
  appliedIndex = 0;

  constructor(
    readonly config: RaftConfig,
    initial: RaftInitialState,
  ) {
    this.storage = new MemoryStorage(initial);
    this.raft = new Raft(config, initial);
    this.appliedIndex = initial.snapshot?.meta.index ?? 0;
    if (initial.snapshot !== null) this.applied = decodeState(initial.snapshot.data);
  }

  restart(): void {
    const state = this.storage.state();
    this.raft = new Raft(this.config, state);
    this.applied = state.snapshot === null ? [] : decodeState(state.snapshot.data);
    this.appliedIndex = state.snapshot?.meta.index ?? 0;
  }

  /** Takes a snapshot of the applied state at the applied index and compacts up to it. */
  compact(index: number): Snapshot {
    if (index !== this.appliedIndex)
      throw new Error(`test state machine can only snapshot at applied ${this.appliedIndex}`);
    const term = this.raft.status().lastIndex >= index ? termOf(this, index) : 0;
    const snapshot: Snapshot = {
      meta: { index, term, conf: this.raft.confStateAt(index) },
      data: encoder.encode(JSON.stringify(this.applied)),
    };
    this.raft.compact(snapshot);
    this.storage.compact(snapshot);
    return snapshot;
  }
}

function termOf(node: TestNode, index: number): number {
  const entry = node.storage.entries.find((e) => e.index === index);
  if (entry !== undefined) return entry.term;
  if (node.storage.snapshot?.meta.index === index) return node.storage.snapshot.meta.term;
  throw new Error(`no term for index ${index}`);
}

function decodeState(data: Uint8Array): string[] {
  const parsed: unknown = JSON.parse(decoder.decode(data));
  return Array.isArray(parsed) ? parsed.map(String) : [];
}

/** Options for creating members in a scenario. */
export type NodeOptions = Partial<Omit<RaftConfig, 'id' | 'random'>>;

/** A cluster of members wired through one network queue. */
export class Cluster {
  readonly nodes = new Map<NodeId, TestNode>();
  network: Message[] = [];
  /** Pairs "a|b" that cannot talk. */
  private readonly cut = new Set<string>();
  private readonly out: string[] = [];
  /** Called for every applied entry (tests check that all members apply the same ones). */
  onApply: ((id: NodeId, entry: Entry) => void) | null = null;

  add(id: NodeId, initial: RaftInitialState, options: NodeOptions, seed: number): TestNode {
    const config: RaftConfig = { ...defaultRaftConfig, ...options, id, random: seededRandom(seed) };
    const node = new TestNode(config, initial);
    this.nodes.set(id, node);
    return node;
  }

  node(id: NodeId): TestNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`unknown node ${id}`);
    return node;
  }

  print(line: string): void {
    this.out.push(line);
  }

  takeOutput(): string[] {
    return this.out.splice(0, this.out.length);
  }

  partition(groups: readonly (readonly NodeId[])[]): void {
    this.cut.clear();
    for (const a of groups) {
      for (const b of groups) {
        if (a === b) continue;
        for (const x of a) for (const y of b) this.cut.add(`${x}|${y}`);
      }
    }
  }

  heal(): void {
    this.cut.clear();
  }

  /** Handles one member's Ready as a driver would; returns false if it had nothing. */
  processReady(id: NodeId, quiet = false): boolean {
    const node = this.node(id);
    if (!node.raft.hasReady()) return false;
    const ready = node.raft.ready();
    node.storage.persist(ready);
    if (ready.softState !== null) {
      const s = ready.softState;
      this.print(`${id}: ${s.role} t${s.term}${s.leader !== null && s.role !== 'leader' ? ` leader=${s.leader}` : ''}`);
    }
    this.network.push(...ready.messages);
    if (ready.snapshot !== null) {
      node.applied = decodeState(ready.snapshot.data);
      node.appliedIndex = ready.snapshot.meta.index;
      this.print(
        `${id}: restore snapshot ${ready.snapshot.meta.index}@${ready.snapshot.meta.term} ${formatConf(ready.snapshot.meta.conf)}`,
      );
    }
    for (const entry of ready.committedEntries) {
      if (entry.index !== node.appliedIndex + 1)
        throw new Error(`${id}: applied ${entry.index} after ${node.appliedIndex}`);
      node.appliedIndex = entry.index;
      this.onApply?.(id, entry);
      if (entry.type === EntryType.Normal && entry.data.length > 0) node.applied.push(decoder.decode(entry.data));
      if (!quiet || entry.type === EntryType.Config) this.print(`${id}: apply ${formatEntry(entry)}`);
    }
    for (const read of ready.readStates) this.print(`${id}: read ${read.context} index=${read.index}`);
    for (const failure of ready.readFailures) {
      this.print(
        `${id}: read-failed ${failure.context} ${failure.reason}${failure.leader ? ` leader=${failure.leader}` : ''}`,
      );
    }
    node.raft.advance(ready);
    return true;
  }

  processAll(quiet = false): boolean {
    let any = false;
    for (const id of this.nodes.keys()) {
      while (this.processReady(id, quiet)) any = true;
    }
    return any;
  }

  /**
   * Delivers the messages queued now (not the answers they cause) that match `filter`;
   * messages to `drop` members or across a partition are lost.
   */
  deliver(filter: (m: Message) => boolean, drop: ReadonlySet<NodeId>, quiet: boolean): number {
    const now = this.network.filter(filter);
    this.network = this.network.filter((m) => !filter(m));
    for (const m of now) {
      const lost = drop.has(m.to) || this.cut.has(`${m.from}|${m.to}`) || !this.nodes.has(m.to);
      if (!quiet) this.print(`${formatMessage(m)}${lost ? ' DROPPED' : ''}`);
      if (!lost) this.node(m.to).raft.step(m);
    }
    return now.length;
  }

  /** Delivers one message taken off the queue by the caller, unless a partition cuts it. */
  deliverOne(m: Message): void {
    if (this.cut.has(`${m.from}|${m.to}`) || !this.nodes.has(m.to)) return;
    this.node(m.to).raft.step(m);
  }

  /** Delivers and processes until nothing is left to do (bounded, so a livelock fails). */
  stabilize(quiet: boolean): void {
    for (let round = 0; round < 1000; round++) {
      const processed = this.processAll(quiet);
      const delivered = this.deliver(() => true, new Set(), quiet);
      if (!processed && delivered === 0) return;
    }
    throw new Error('stabilize: no quiescence after 1000 rounds');
  }
}

/**
 * n1 leads a stabilised cluster of n1..n<size> (three by default) whose random sources are
 * seeded `seed`, `seed + 1`, …; the output so far is discarded.
 */
export function leaderCluster(options: NodeOptions = {}, size = 3, seed = 1): Cluster {
  const c = new Cluster();
  const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  for (const [i, id] of ids.entries()) c.add(id, Raft.bootstrap({ voters: ids, learners: [] }), options, seed + i);
  c.node('n1').raft.campaign();
  c.stabilize(true);
  const { role } = c.node('n1').raft.status();
  if (role !== 'leader') throw new Error(`leaderCluster: n1 is ${role} after the election, not leader`);
  c.takeOutput();
  return c;
}

/**
 * n1 leads; n2 holds one entry n3 lacks; then n1 is cut off from both: after a leader loss, the
 * survivor n3 lags and n2 is ahead.
 */
export function laggingSurvivor(options: NodeOptions = {}): Cluster {
  const c = leaderCluster(options);
  c.partition([['n1', 'n2'], ['n3']]);
  c.node('n1').raft.propose(encoder.encode('only n1 and n2 have this'));
  c.stabilize(true);
  if (c.node('n2').raft.status().lastIndex <= c.node('n3').raft.status().lastIndex) {
    throw new Error('laggingSurvivor: n2 is not ahead of n3');
  }
  c.partition([['n1'], ['n2', 'n3']]);
  c.takeOutput();
  return c;
}
