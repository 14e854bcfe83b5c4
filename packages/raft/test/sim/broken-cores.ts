/**
 * Deliberately broken Raft cores for the simulator's own tests: each breaks one rule of the
 * protocol by subclassing the real `Raft` and tampering with what goes in or comes out.
 * A simulator that cannot tell these from the real core is not checking anything.
 */
import { Raft, type RaftConfig, type RaftInitialState } from '../../src/core/raft';
import type { ConfState, Message, NodeId, Ready } from '../../src/core/types';
import type { CreateRaft } from '../../src/sim/types';

/** Grants every vote it is asked for, even a second one in the same term. */
class DoubleVoter extends Raft {
  override ready(): Ready {
    const ready = super.ready();
    const messages = ready.messages.map((m): Message => (m.type === 'voteResp' ? { ...m, granted: true } : m));
    return { ...ready, messages };
  }
}

/** Ignores the §5.4.1 election restriction: treats every candidate's log as up to date. */
class CarelessVoter extends Raft {
  override step(message: Message): void {
    if (message.type === 'vote' || message.type === 'preVote') {
      super.step({ ...message, lastLogIndex: Number.MAX_SAFE_INTEGER, lastLogTerm: message.term });
      return;
    }
    super.step(message);
  }
}

/**
 * Acknowledges appended entries without persisting them: the driver is handed a Ready
 * without its entries, but the core is told they were written.
 */
class LyingDisk extends Raft {
  private readonly handedOut = new Map<Ready, Ready>();

  override ready(): Ready {
    const real = super.ready();
    if (this.status().role === 'leader') return real;
    const shown: Ready = { ...real, entries: [] };
    this.handedOut.set(shown, real);
    return shown;
  }

  override advance(ready: Ready): void {
    const real = this.handedOut.get(ready);
    this.handedOut.delete(ready);
    super.advance(real ?? ready);
  }

  override acceptReady(ready: Ready): void {
    super.acceptReady(this.handedOut.get(ready) ?? ready);
  }

  override readyPersisted(ready: Ready): void {
    const real = this.handedOut.get(ready);
    this.handedOut.delete(ready);
    super.readyPersisted(real ?? ready);
  }
}

/**
 * Drops vote requests of a lower term without an answer, so a candidate that is behind in
 * term never learns the current one (the core's behaviour before the fix of FOUND-BUGS #1).
 */
export class SilentVoter extends Raft {
  override step(message: Message): void {
    if (message.type === 'vote' && message.term < this.status().term) return;
    super.step(message);
  }
}

/** Never lets time pass: no election ever starts, so the liveness phase must fail. */
class FrozenClock extends Raft {
  override tick(): void {}
}

/** Answers reads with a read index a few entries behind the commit index. */
class StaleReader extends Raft {
  override ready(): Ready {
    const ready = super.ready();
    const readStates = ready.readStates.map((r) => ({ ...r, index: Math.max(0, r.index - 3) }));
    return { ...ready, readStates };
  }
}

/** The internals the Figure-8 core replaces; they belong to the real core and may change. */
interface CommitInternals {
  role: string;
  conf: ConfState;
  progress: Map<NodeId, { match: number }>;
  log: { commit: number };
  commitTo(index: number): void;
  maybeCommit(): boolean;
}

/**
 * Commits by counting replicas regardless of the entry's term (the bug of Figure 8 in the
 * Raft paper, §5.4.2). The core's commit rule is private, so this patches the instance.
 */
function createFigure8Core(config: RaftConfig, initial: RaftInitialState): Raft {
  const raft = new Raft(config, initial);
  const internals = raft as unknown as CommitInternals;
  internals.maybeCommit = function (this: CommitInternals): boolean {
    if (this.role !== 'leader') return false;
    const matches = this.conf.voters.map((id) => this.progress.get(id)?.match ?? 0).sort((a, b) => b - a);
    const index = matches[Math.floor(this.conf.voters.length / 2)] ?? 0;
    if (index <= this.log.commit) return false;
    this.commitTo(index);
    return true;
  };
  return raft;
}

/** A broken core, and how hard the simulator may look for its bug. */
export interface BrokenCore {
  readonly name: string;
  readonly createRaft: CreateRaft;
  /** Seeds the self-test may try before it must have seen a violation. */
  readonly seedBudget?: number;
  /** Steps per seed for this bug. */
  readonly steps?: number;
}

export const brokenCores: readonly BrokenCore[] = [
  { name: 'grants two votes in a term', createRaft: (c, i) => new DoubleVoter(c, i) },
  { name: 'votes for out-of-date candidates', createRaft: (c, i) => new CarelessVoter(c, i) },
  { name: 'acknowledges appends without persisting', createRaft: (c, i) => new LyingDisk(c, i) },
  { name: 'never ticks', createRaft: (c, i) => new FrozenClock(c, i), seedBudget: 10 },
  { name: 'returns stale read indexes', createRaft: (c, i) => new StaleReader(c, i) },
  // Harmful only when a higher-term entry sits on a minority when the old one is counted,
  // which takes a particular interleaving: the first seeds that show it are 54 (3 members)
  // and 140 (5 members) in the current simulator.
  { name: 'commits previous-term entries by counting', createRaft: createFigure8Core, seedBudget: 300 },
];
