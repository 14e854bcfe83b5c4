/**
 * The safety invariants, checked incrementally as the driver observes each member. Every
 * check costs O(members) per step or O(new entries) per write; only a new leader's
 * completeness check walks the committed log.
 */
import type { ConfState, Entry, NodeId, SnapshotMeta } from '../core/types';
import type { DiskImage } from './disk';
import { entryKey } from './state-machine';
import type { Violation, ViolationKind } from './types';

interface LogSlot {
  readonly key: string;
  /** Term of the entry before it, when the writer knew it. */
  readonly prevTerm: number | undefined;
}

interface Committed {
  readonly term: number;
  readonly key: string;
}

/** A read in progress and what it must observe. */
interface PendingRead {
  readonly node: NodeId;
  readonly key: string;
  /** Highest index of any write acknowledged before the read started. */
  readonly minIndex: number;
  /** Index of the last acknowledged write to `key` before the read started. */
  readonly minKeyIndex: number;
  readIndex: number | null;
}

/** Accumulates observations and reports broken invariants. */
export class SafetyChecker {
  readonly violations: Violation[] = [];
  step = 0;
  timeMs = 0;

  private readonly leaders = new Map<number, NodeId>();
  private readonly slots = new Map<string, LogSlot>();
  private readonly committed = new Map<number, Committed>();
  /** Membership after each committed config entry, ascending by index. */
  private readonly confs: { index: number; conf: ConfState }[] = [];
  highestCommitted = 0;
  private ackedIndex = 0;
  private readonly ackedByKey = new Map<string, number>();
  private readonly reads = new Map<string, PendingRead>();
  /** Who asked each read ever started; a duplicated response may answer a finished read. */
  private readonly readOwners = new Map<string, NodeId>();

  constructor(initialConf: ConfState) {
    this.confs.push({ index: 0, conf: initialConf });
  }

  report(kind: ViolationKind, message: string): void {
    this.violations.push({ kind, message, step: this.step, timeMs: this.timeMs });
  }

  /** Election safety: at most one leader per term, over the whole history. */
  observeRole(node: NodeId, leader: boolean, term: number): boolean {
    if (!leader) return false;
    const known = this.leaders.get(term);
    if (known === undefined) {
      this.leaders.set(term, node);
      return true;
    }
    if (known !== node) this.report('election-safety', `term ${term} has two leaders: ${known} and ${node}`);
    return false;
  }

  /** Leader completeness: a leader of `term` holds every entry committed in earlier terms. */
  checkLeaderLog(node: NodeId, term: number, log: DiskImage): void {
    for (const [index, c] of this.committed) {
      if (c.term >= term) continue;
      if (!log.covers(index, c.term)) {
        this.report(
          'leader-completeness',
          `leader ${node} of term ${term} lacks committed entry ${index} (term ${c.term}); it has term ${log.termAt(index) ?? 'none'}`,
        );
        return;
      }
    }
  }

  /**
   * Log matching, by induction: if every (index, term) names one entry and one predecessor
   * term, two logs that share an (index, term) share the whole prefix.
   */
  observeWrite(node: NodeId, entries: readonly Entry[], before: DiskImage): void {
    let prevTerm = entries[0] === undefined ? undefined : before.termAt(entries[0].index - 1);
    for (const entry of entries) {
      const id = `${entry.index}:${entry.term}`;
      const key = entryKey(entry);
      const slot = this.slots.get(id);
      if (slot === undefined) {
        this.slots.set(id, { key, prevTerm });
      } else if (slot.key !== key) {
        this.report('log-matching', `${node} wrote a different entry at index ${entry.index} term ${entry.term}`);
      } else if (slot.prevTerm !== undefined && prevTerm !== undefined && slot.prevTerm !== prevTerm) {
        this.report(
          'log-matching',
          `${node} has entry ${entry.index} term ${entry.term} after term ${prevTerm}, another log after term ${slot.prevTerm}`,
        );
      } else if (slot.prevTerm === undefined && prevTerm !== undefined) {
        this.slots.set(id, { key, prevTerm });
      }
      if (prevTerm !== undefined && entry.term < prevTerm) {
        this.report('log-matching', `${node} log term decreases at ${entry.index}: ${prevTerm} then ${entry.term}`);
      }
      prevTerm = entry.term;
    }
  }

  /**
   * State machine safety: every member applies the same entry at an index. An applied entry
   * must be durable on the applier's disk, or, when cores apply before their own write is
   * durable (`quorumDisks` given: every member's durable disk), committed: durable on a
   * majority of the voters, as `checkDurability` counts them.
   */
  observeApply(
    node: NodeId,
    entry: Entry,
    durable: DiskImage,
    confAfter: ConfState | null,
    quorumDisks: ReadonlyMap<NodeId, DiskImage> | null,
  ): void {
    const key = entryKey(entry);
    const known = this.committed.get(entry.index);
    if (known === undefined) {
      this.committed.set(entry.index, { term: entry.term, key });
      if (entry.index > this.highestCommitted) this.highestCommitted = entry.index;
      if (confAfter !== null) this.confs.push({ index: entry.index, conf: confAfter });
    } else if (known.key !== key) {
      this.report(
        'state-machine-safety',
        `${node} applied term ${entry.term} at index ${entry.index}, another member applied term ${known.term}`,
      );
    }
    if (quorumDisks === null) {
      if (!durable.covers(entry.index, entry.term)) {
        this.report('apply-not-durable', `${node} applied entry ${entry.index} that is not durable on its disk`);
      }
    } else if (!this.onQuorum(entry.index, entry.term, quorumDisks)) {
      const holders = [...quorumDisks].filter(([, d]) => d.covers(entry.index, entry.term)).map(([id]) => id);
      this.report(
        'apply-not-committed',
        `${node} applied entry ${entry.index} (term ${entry.term}) durable only on [${holders.join(',')}]`,
      );
    }
  }

  /** True when (index, term) is on the disks of a majority of the latest configuration or the one before. */
  private onQuorum(index: number, term: number, disks: ReadonlyMap<NodeId, DiskImage>): boolean {
    for (const { conf } of this.confs.slice(-2)) {
      let have = 0;
      for (const voter of conf.voters) if (disks.get(voter)?.covers(index, term)) have++;
      if (have * 2 > conf.voters.length) return true;
    }
    return false;
  }

  /** A snapshot stands for committed entries: its (index, term) must agree with them. */
  observeSnapshot(node: NodeId, meta: SnapshotMeta): void {
    const known = this.committed.get(meta.index);
    if (known !== undefined && known.term !== meta.term) {
      this.report(
        'state-machine-safety',
        `${node} holds a snapshot at ${meta.index} term ${meta.term}; the committed entry has term ${known.term}`,
      );
    }
  }

  /**
   * Durability: the highest committed entry is on the disks of a majority of the voters of
   * the latest committed configuration or of the one before it (a change commits under the
   * old configuration). Log matching extends this to every earlier entry.
   */
  checkDurability(disks: ReadonlyMap<NodeId, DiskImage>): void {
    const index = this.highestCommitted;
    const c = this.committed.get(index);
    if (c === undefined) return;
    const confs = this.confs.slice(-2);
    for (const { conf } of confs) {
      let have = 0;
      for (const voter of conf.voters) if (disks.get(voter)?.covers(index, c.term)) have++;
      if (have * 2 > conf.voters.length) return;
    }
    const holders = [...disks].filter(([, d]) => d.covers(index, c.term)).map(([id]) => id);
    this.report(
      'durability',
      `committed entry ${index} (term ${c.term}) is durable only on [${holders.join(',')}], not on a majority of ${confs
        .map(({ conf }) => `[${conf.voters.join(',')}]`)
        .join(' or ')}`,
    );
  }

  /**
   * Leader completeness, looking ahead: no member lacking the highest committed entry could
   * win an election. Every member holding a committed entry has a log more up to date than
   * any member lacking it (§5.4.3), so the members that would vote for one that lacks it
   * never form a majority of the latest configuration and of the one before it (they are
   * outside the holders, which durability puts in a majority of one of them). This catches a
   * commit that is unsafe (Figure 8 of the paper) before any later leader shows it.
   */
  checkElectable(logs: ReadonlyMap<NodeId, DiskImage>): void {
    const index = this.highestCommitted;
    const c = this.committed.get(index);
    if (c === undefined) return;
    const confs = this.confs.slice(-2);
    for (const [candidate, log] of logs) {
      if (log.covers(index, c.term)) continue;
      const lastIndex = log.lastIndex;
      const lastTerm = log.termAt(lastIndex) ?? 0;
      const wouldVote = (voter: NodeId): boolean => {
        if (voter === candidate) return true;
        const other = logs.get(voter);
        if (other === undefined) return false;
        const otherTerm = other.termAt(other.lastIndex) ?? 0;
        return lastTerm > otherTerm || (lastTerm === otherTerm && lastIndex >= other.lastIndex);
      };
      const electable = confs.every(({ conf }) => {
        const votes = conf.voters.filter(wouldVote).length;
        return votes * 2 > conf.voters.length;
      });
      if (electable) {
        this.report(
          'leader-completeness',
          `${candidate} lacks committed entry ${index} (term ${c.term}) but its log (last ${lastIndex}/${lastTerm}) could win a majority's votes`,
        );
        return;
      }
    }
  }

  /** A write's proposer applied it: the client has its acknowledgement. */
  acknowledge(key: string, index: number): void {
    if (index > this.ackedIndex) this.ackedIndex = index;
    if (index > (this.ackedByKey.get(key) ?? 0)) this.ackedByKey.set(key, index);
  }

  startRead(context: string, node: NodeId, key: string): void {
    this.readOwners.set(context, node);
    this.reads.set(context, {
      node,
      key,
      minIndex: this.ackedIndex,
      minKeyIndex: this.ackedByKey.get(key) ?? 0,
      readIndex: null,
    });
  }

  /** The core returned a read index: it must cover every write acknowledged before the read. */
  readIndexReturned(context: string, node: NodeId, index: number): void {
    if (this.readOwners.get(context) !== node) {
      this.report('read-linearizability', `${node} answered read ${context} it was never asked`);
      return;
    }
    const read = this.reads.get(context);
    if (read === undefined) return;
    read.readIndex = index;
    if (index < read.minIndex) {
      this.report(
        'read-linearizability',
        `read ${context} on ${node} got index ${index}, but a write at ${read.minIndex} was acknowledged before it started`,
      );
    }
  }

  /** The read was served at the state machine: it must see the last acknowledged write to its key. */
  readServed(context: string, observedIndex: number): void {
    const read = this.reads.get(context);
    if (read === undefined) return;
    this.reads.delete(context);
    if (observedIndex < read.minKeyIndex) {
      this.report(
        'read-linearizability',
        `read ${context} of ${read.key} on ${read.node} saw the write at ${observedIndex}, older than the acknowledged write at ${read.minKeyIndex}`,
      );
    }
  }

  readAbandoned(context: string): void {
    this.reads.delete(context);
  }

  /** The latest committed membership. */
  get latestConf(): ConfState {
    return (this.confs[this.confs.length - 1] as { conf: ConfState }).conf;
  }

  committedTerm(index: number): number | undefined {
    return this.committed.get(index)?.term;
  }
}
