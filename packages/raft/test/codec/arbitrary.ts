/**
 * Seeded generators of valid messages for the codec tests. A failing case prints its seed;
 * the same seed always produces the same messages.
 */
import type { ConfState, Entry, ForwardRequest, Message } from '../../src/core/types';
import { mulberry32 } from '../../src/sim/prng';

/** Seeded generator so that a fuzz run replays. */
export const seededRandom = mulberry32;

export class Gen {
  constructor(readonly random: () => number) {}

  int(maxExclusive: number): number {
    return Math.floor(this.random() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bool(): boolean {
    return this.random() < 0.5;
  }

  /** Small values usually, large ones sometimes: varint edges matter. */
  count(): number {
    const roll = this.int(6);
    if (roll === 0) return 0;
    if (roll === 1) return this.int(128);
    if (roll === 2) return this.int(1 << 21);
    if (roll === 3) return this.pick([127, 128, 16_383, 16_384, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1]);
    if (roll === 4) return Math.floor(this.random() * Number.MAX_SAFE_INTEGER);
    return 1 + this.int(1_000_000);
  }

  bytes(maxLength: number): Uint8Array {
    const data = new Uint8Array(this.int(maxLength + 1));
    for (let i = 0; i < data.length; i++) data[i] = this.int(256);
    return data;
  }

  id(): string {
    return this.pick(['n1', 'n2', 'n3', 'node-with-a-longer-name.example:7000', 'ñodo-ü', '节点-7', '🚀-member']);
  }

  text(): string {
    return this.pick(['', 'r-1', 'read:42:abc', 'ünïcødé ✓', 'emoji 🙂 context', 'x'.repeat(200)]);
  }

  conf(): ConfState {
    const all = ['n1', 'n2', 'n3', 'n4', 'n5', 'learner-α'];
    const voters: string[] = [];
    const learners: string[] = [];
    for (const id of all) {
      const roll = this.int(3);
      if (roll === 0) voters.push(id);
      else if (roll === 1) learners.push(id);
    }
    return { voters, learners };
  }

  entries(prevIndex: number, prevTerm: number, term: number, maxCount: number): Entry[] {
    const entries: Entry[] = [];
    let entryTerm = prevTerm;
    const total = this.int(maxCount + 1);
    for (let i = 0; i < total; i++) {
      if (entryTerm < term && this.int(4) === 0) entryTerm += 1 + this.int(term - entryTerm);
      entries.push({
        term: entryTerm,
        index: prevIndex + 1 + i,
        type: this.int(5) === 0 ? 1 : 0,
        data: this.bytes(40),
      });
    }
    return entries;
  }

  message(): Message {
    const from = this.id();
    let to = this.id();
    while (to === from) to = this.id();
    const term = this.count();
    switch (this.int(15)) {
      case 0:
      case 1:
        return {
          type: this.bool() ? 'preVote' : 'vote',
          from,
          to,
          term,
          lastLogIndex: this.count(),
          lastLogTerm: this.count(),
          force: this.bool(),
        };
      case 2:
        return { type: this.bool() ? 'preVoteResp' : 'voteResp', from, to, term, granted: this.bool() };
      case 3:
      case 4: {
        const prevTerm = this.int(Math.min(term, 1000) + 1);
        const prevIndex = this.int(1 << 30);
        return {
          type: 'append',
          from,
          to,
          term: Math.max(term, prevTerm),
          prevIndex,
          prevTerm,
          entries: this.entries(prevIndex, prevTerm, Math.max(term, prevTerm), 6),
          commit: this.count(),
        };
      }
      case 5:
        return {
          type: 'appendResp',
          from,
          to,
          term,
          success: this.bool(),
          index: this.count(),
          hintIndex: this.count(),
          hintTerm: this.count(),
        };
      case 6:
        return { type: 'heartbeat', from, to, term, commit: this.count(), readRound: this.count() };
      case 7:
        return { type: 'heartbeatResp', from, to, term, readRound: this.count() };
      case 8: {
        const chunk = this.bytes(64);
        const offset = this.int(1 << 20);
        return {
          type: 'snapshot',
          from,
          to,
          term,
          meta: { index: 1 + this.int(1 << 30), term: this.count(), conf: this.conf() },
          offset,
          totalBytes: offset + chunk.length + this.int(3) * this.int(1 << 20),
          chunk,
          done: this.bool(),
        };
      }
      case 9:
        return {
          type: 'snapshotResp',
          from,
          to,
          term,
          snapshotIndex: this.count(),
          offset: this.count(),
          success: this.bool(),
          done: this.bool(),
        };
      case 10:
        return { type: 'timeoutNow', from, to, term };
      case 11:
        return { type: 'readIndex', from, to, term, context: this.text() };
      case 12:
        return { type: 'forward', from, to, term, request: this.forwardRequest() };
      case 13:
        return { type: 'commit', from, to, term, index: this.count(), logTerm: this.count(), commit: this.count() };
      default:
        return {
          type: 'readIndexResp',
          from,
          to,
          term,
          context: this.text(),
          index: this.int(3) === 0 ? -1 : Math.min(this.count(), Number.MAX_SAFE_INTEGER - 1),
        };
    }
  }

  forwardRequest(): ForwardRequest {
    switch (this.int(3)) {
      case 0: {
        const entries: Uint8Array[] = [];
        const total = 1 + this.int(5);
        for (let i = 0; i < total; i++) {
          const data = this.bytes(40);
          entries.push(data.length > 0 ? data : new Uint8Array([this.int(256)]));
        }
        return { kind: 'entries', entries };
      }
      case 1: {
        const kind = this.pick(['addVoter', 'addLearner', 'promoteLearner', 'removeNode'] as const);
        const context = this.int(3) === 0 ? undefined : this.bytes(30);
        return {
          kind: 'confChange',
          change: context === undefined ? { kind, node: this.id() } : { kind, node: this.id(), context },
        };
      }
      default:
        return { kind: 'transfer', target: this.id() };
    }
  }

  batch(maxCount: number): Message[] {
    const messages: Message[] = [];
    const total = 1 + this.int(maxCount);
    for (let i = 0; i < total; i++) messages.push(this.message());
    return messages;
  }
}
