/**
 * Goal: properties of the Raft core that scenarios do not show line by line: the Ready
 * contract (persist before counting, apply only durable entries unless `applyBeforeDurable`),
 * restart from storage,
 * roles that must never campaign, lease reads, driver-misuse assertions, and robustness
 * against arbitrary peer messages (step never throws).
 * Method: drive `Raft` directly or through the in-memory harness with seeded randomness.
 */
import { describe, expect, it } from 'vitest';
import { encodeConfChange } from '../../src/core/conf-change';
import { defaultRaftConfig, Raft, type RaftConfig } from '../../src/core/raft';
import { RaftLog } from '../../src/core/raft-log';
import { type Entry, EntryType, type Message } from '../../src/core/types';
import { Cluster, seededRandom } from './harness';

const encoder = new TextEncoder();
const config = (id: string, extra: Partial<RaftConfig> = {}): RaftConfig => ({
  ...defaultRaftConfig,
  id,
  random: seededRandom(id.length + id.charCodeAt(id.length - 1)),
  ...extra,
});
const entry = (index: number, term: number, data = ''): Entry => ({
  index,
  term,
  type: EntryType.Normal,
  data: encoder.encode(data),
});

function cluster(ids: string[], extra: Partial<RaftConfig> = {}): Cluster {
  const c = new Cluster();
  ids.forEach((id, i) => {
    c.add(id, Raft.bootstrap({ voters: ids, learners: [] }), extra, i + 1);
  });
  c.processAll(true);
  return c;
}

describe('raft core', () => {
  it('bootstrap state holds the configuration as committed entry 1', () => {
    const state = Raft.bootstrap({ voters: ['a'], learners: [] });
    expect(state.hardState).toEqual({ term: 1, vote: null, commit: 1 });
    expect(state.entries).toEqual([
      {
        term: 1,
        index: 1,
        type: EntryType.Config,
        data: encodeConfChange({ kind: 'bootstrap', conf: { voters: ['a'], learners: [] } }),
      },
    ]);
    expect(() => Raft.bootstrap({ voters: [], learners: [] })).toThrow();
  });

  it('single voter: leads at once; entries commit only after the Ready that persisted them', () => {
    const raft = new Raft(config('a'), Raft.bootstrap({ voters: ['a'], learners: [] }));
    raft.advance(raft.ready());
    raft.campaign();
    expect(raft.status().role).toBe('leader');
    const proposed = raft.propose(encoder.encode('x'));
    expect(proposed).toEqual({ ok: true, index: 3, term: 2 });
    const first = raft.ready();
    expect(first.entries.map((e) => e.index)).toEqual([2, 3]);
    expect(first.committedEntries).toEqual([]);
    expect(raft.status().commit).toBe(1);
    raft.advance(first);
    expect(raft.status().commit).toBe(3);
    const second = raft.ready();
    expect(second.committedEntries.map((e) => e.index)).toEqual([2, 3]);
    raft.advance(second);
    expect(raft.hasReady()).toBe(false);
    raft.readIndex('r');
    expect(raft.ready().readStates).toEqual([{ context: 'r', index: 3 }]);
  });

  it('pipelined: acceptReady hands entries over once; the leader counts itself only at readyPersisted', () => {
    const raft = new Raft(config('a'), Raft.bootstrap({ voters: ['a'], learners: [] }));
    raft.advance(raft.ready());
    raft.campaign();
    raft.advance(raft.ready());
    raft.advance(raft.ready());
    const commit = raft.status().commit;
    raft.propose(encoder.encode('x'));
    const first = raft.ready();
    expect(first.entries.map((e) => e.index)).toEqual([commit + 1]);
    raft.acceptReady(first);
    // Handed over: the next Ready does not carry the entry again, nor may it commit yet.
    expect(raft.hasReady()).toBe(false);
    raft.propose(encoder.encode('y'));
    const second = raft.ready();
    expect(second.entries.map((e) => e.index)).toEqual([commit + 2]);
    raft.acceptReady(second);
    expect(raft.status().commit).toBe(commit);
    raft.readyPersisted(first);
    expect(raft.status().commit).toBe(commit + 1);
    expect(raft.ready().committedEntries.map((e) => e.index)).toEqual([commit + 1]);
    raft.readyPersisted(second);
    expect(raft.status().commit).toBe(commit + 2);
  });

  it('pipelined: a follower hands over entries once and applies only what is persisted', () => {
    const c = cluster(['a', 'b']);
    c.node('a').raft.campaign();
    c.stabilize(true);
    const leader = c.node('a').raft;
    const follower = c.node('b').raft;
    const applied = follower.status().commit;
    leader.propose(encoder.encode('x'));
    const out = leader.ready();
    c.node('a').storage.persist(out);
    leader.advance(out);
    for (const m of out.messages) follower.step(m);
    const first = follower.ready();
    expect(first.entries).toHaveLength(1);
    follower.acceptReady(first);
    // The same append again (a retransmission) is acknowledged from memory, in a Ready with no
    // entries: the driver holds that ack until the first Ready is durable.
    for (const m of out.messages) follower.step(m);
    const second = follower.ready();
    expect(second.entries).toEqual([]);
    expect(second.messages.map((m) => m.type)).toEqual(['appendResp']);
    follower.acceptReady(second);
    follower.readyPersisted(first);
    follower.readyPersisted(second);
    for (const m of [...first.messages, ...second.messages]) leader.step(m);
    const commitReady = leader.ready();
    c.node('a').storage.persist(commitReady);
    leader.advance(commitReady);
    for (const m of commitReady.messages) follower.step(m);
    expect(follower.ready().committedEntries.map((e) => e.index)).toEqual([applied + 1]);
  });

  for (const applyBeforeDurable of [false, true]) {
    it(`pipelined leader whose own write is the slowest: committed entries ${applyBeforeDurable ? 'apply before its write is durable' : 'wait for its write'} (applyBeforeDurable ${applyBeforeDurable})`, () => {
      const c = cluster(['a', 'b', 'c'], { applyBeforeDurable });
      c.node('a').raft.campaign();
      c.stabilize(true);
      const leader = c.node('a').raft;
      const commit = leader.status().commit;
      leader.propose(encoder.encode('x'));
      const own = leader.ready();
      expect(own.entries.map((e) => e.index)).toEqual([commit + 1]);
      leader.acceptReady(own);
      for (const id of ['b', 'c']) {
        const follower = c.node(id);
        for (const m of own.messages) if (m.to === id) follower.raft.step(m);
        const ready = follower.raft.ready();
        follower.storage.persist(ready);
        follower.raft.advance(ready);
        for (const m of ready.messages) leader.step(m);
      }
      // Both followers hold it durably: committed, while the leader's own write is still running.
      expect(leader.status().commit).toBe(commit + 1);
      const next = leader.ready();
      expect(next.committedEntries.map((e) => e.index)).toEqual(applyBeforeDurable ? [commit + 1] : []);
      leader.acceptReady(next);
      if (applyBeforeDurable) {
        // A snapshot at the applied index lies above the durable log; the core takes it.
        const meta = { index: commit + 1, term: leader.status().term, conf: leader.confStateAt(commit + 1) };
        leader.compact({ meta, data: new Uint8Array() });
      }
      c.node('a').storage.persist(own);
      leader.readyPersisted(own);
      leader.readyPersisted(next);
      // Its own write done, the leader's copy counts (also above a snapshot taken meanwhile).
      expect(leader.status().progress?.get('a')?.match).toBe(commit + 1);
      expect(leader.ready().committedEntries.map((e) => e.index)).toEqual(applyBeforeDurable ? [] : [commit + 1]);
    });
  }

  it('acceptReady refuses a Ready that installs a snapshot', () => {
    const raft = new Raft(config('a'), Raft.bootstrap({ voters: ['a'], learners: [] }));
    const ready = raft.ready();
    const snapshot = { meta: { index: 1, term: 1, conf: { voters: ['a'], learners: [] } }, data: new Uint8Array() };
    expect(() => raft.acceptReady({ ...ready, snapshot })).toThrow(/snapshot/);
  });

  it('the leader counts itself only after advance() (2 voters: the follower alone is no quorum)', () => {
    const c = cluster(['a', 'b']);
    c.node('a').raft.campaign();
    c.stabilize(true);
    const leader = c.node('a').raft;
    const commit = leader.status().commit;
    leader.propose(encoder.encode('x'));
    const ready = leader.ready();
    // Deliver the append and the follower's ack before the leader persists its own entry.
    for (const m of ready.messages) c.node(m.to).raft.step(m);
    c.processReady('b', true);
    for (const m of c.network.splice(0)) leader.step(m);
    expect(leader.status().commit).toBe(commit);
    c.node('a').storage.persist(ready);
    leader.advance(ready);
    expect(leader.status().commit).toBe(commit + 1);
  });

  it('restarts from storage with the committed configuration and re-applies from the snapshot', () => {
    const c = cluster(['a', 'b', 'c']);
    c.node('a').raft.campaign();
    c.stabilize(true);
    c.node('a').raft.proposeConfChange({ kind: 'addLearner', node: 'd' });
    c.stabilize(true);
    c.node('a').raft.propose(encoder.encode('v'));
    c.stabilize(true);
    const b = c.node('b');
    b.compact(b.appliedIndex);
    b.raft.propose(encoder.encode('ignored'));
    b.restart();
    expect(b.raft.status().conf).toEqual({ voters: ['a', 'b', 'c'], learners: ['d'] });
    expect(b.raft.status().applied).toBe(b.appliedIndex);
    c.processAll(true);
    expect(b.applied).toEqual(['v']);
  });

  it('a leader removing itself takes no more proposals, so the last voter can still be elected (FOUND-BUGS #4)', () => {
    const c = cluster(['a', 'b']);
    c.node('a').raft.campaign();
    c.stabilize(true);
    const a = c.node('a').raft;
    const b = c.node('b').raft;
    expect(a.proposeConfChange({ kind: 'removeNode', node: 'a' }).ok).toBe(true);
    // b gets the removal and acknowledges it; the ack waits on the network.
    c.processReady('a', true);
    c.deliver((m) => m.to === 'b', new Set(), true);
    c.processReady('b', true);
    const ack = c.network.splice(0);
    // Anything after the removal could only commit without a, and would outdate b's log
    // (the append carrying it is lost below).
    const late = [a.propose(encoder.encode('late')), a.submit(encoder.encode('late'))];
    c.processAll(true);
    c.network = [];
    for (const m of ack) a.step(m);
    c.processReady('a', true);
    expect(a.status()).toMatchObject({ role: 'follower', conf: { voters: ['b'], learners: [] } });
    // a's "you may commit" broadcast is lost: b still counts a as a voter and needs its vote.
    c.network = [];
    expect(b.status().conf.voters).toEqual(['a', 'b']);
    for (let i = 0; i < 40 && b.status().role !== 'leader'; i++) {
      b.tick();
      c.stabilize(true);
    }
    expect(b.status()).toMatchObject({ role: 'leader', conf: { voters: ['b'], learners: [] } });
    expect(b.propose(encoder.encode('after')).ok).toBe(true);
    expect(late).toEqual([
      { ok: false, reason: 'transferring', leader: 'a' },
      { ok: false, reason: 'transferring', leader: 'a' },
    ]);
  });

  it('a leader re-elected with its own removal uncommitted in its log is leaving too (FOUND-BUGS #4)', () => {
    // Without check-quorum b has no leader lease, so a's campaign right after its restart counts.
    const c = cluster(['a', 'b'], { checkQuorum: false });
    c.node('a').raft.campaign();
    c.stabilize(true);
    expect(c.node('a').raft.proposeConfChange({ kind: 'removeNode', node: 'a' }).ok).toBe(true);
    c.processReady('a', true);
    // The append is lost and a restarts: the removal is in its log, uncommitted.
    c.network = [];
    c.node('a').restart();
    const a = c.node('a').raft;
    const b = c.node('b').raft;
    a.campaign();
    const election = new Set(['preVote', 'preVoteResp', 'vote', 'voteResp']);
    for (let i = 0; i < 10 && a.status().role !== 'leader'; i++) {
      c.processAll(true);
      c.deliver((m) => election.has(m.type), new Set(), true);
    }
    expect(a.status().role).toBe('leader');
    const late = a.propose(encoder.encode('late'));
    // The no-op carries the removal to b and commits it; a's last word to b is lost.
    for (let i = 0; i < 20 && a.status().role === 'leader'; i++) {
      c.processAll(true);
      c.deliver(() => true, new Set(), true);
    }
    c.processAll(true);
    c.network = [];
    expect(a.status()).toMatchObject({ role: 'follower', conf: { voters: ['b'], learners: [] } });
    for (let i = 0; i < 40 && b.status().role !== 'leader'; i++) {
      b.tick();
      c.stabilize(true);
    }
    expect(b.status()).toMatchObject({ role: 'leader', conf: { voters: ['b'], learners: [] } });
    expect(late).toEqual({ ok: false, reason: 'transferring', leader: 'a' });
  });

  it('learners and joiners never campaign, however long they wait', () => {
    const c = cluster(['a', 'b']);
    c.add('j', { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] }, {}, 9);
    const learnerState = Raft.bootstrap({ voters: ['a', 'b'], learners: ['l'] });
    c.add('l', learnerState, {}, 10);
    for (let i = 0; i < 100; i++) {
      c.node('j').raft.tick();
      c.node('l').raft.tick();
      c.node('j').raft.campaign();
      c.node('l').raft.campaign();
    }
    c.processAll(true);
    expect(c.network.filter((m) => m.from === 'j' || m.from === 'l')).toEqual([]);
    expect(c.node('j').raft.status().role).toBe('follower');
    expect(c.node('l').raft.status().role).toBe('follower');
  });

  it('a vote request from a lower term is rejected with the current term (Figure 2)', () => {
    const raft = new Raft(config('b'), {
      hardState: { term: 7, vote: null, commit: 1 },
      snapshot: null,
      entries: [entry(1, 1)],
    });
    raft.step({ type: 'vote', from: 'a', to: 'b', term: 5, lastLogIndex: 9, lastLogTerm: 5, force: false });
    expect(raft.ready().messages).toEqual([{ type: 'voteResp', from: 'b', to: 'a', term: 7, granted: false }]);
  });

  it('lease reads are answered without a heartbeat round once a quorum acked a heartbeat', () => {
    const c = cluster(['a', 'b', 'c'], { leaseReads: true });
    c.node('a').raft.campaign();
    c.stabilize(true);
    // A new leader's lease starts with the first heartbeat of its term a quorum acknowledges.
    c.node('a').raft.tick();
    c.stabilize(true);
    c.node('a').raft.readIndex('fast');
    const ready = c.node('a').raft.ready();
    expect(ready.readStates).toEqual([{ context: 'fast', index: c.node('a').raft.status().commit }]);
    expect(ready.messages).toEqual([]);
  });

  it('rejects driver misuse and bad configuration', () => {
    const raft = new Raft(config('a'), Raft.bootstrap({ voters: ['a'], learners: [] }));
    const snapshot = { meta: { index: 1, term: 1, conf: { voters: ['a'], learners: [] } }, data: new Uint8Array(0) };
    expect(() => raft.compact(snapshot)).toThrow(/applied/);
    raft.advance(raft.ready());
    expect(() => raft.compact({ ...snapshot, meta: { ...snapshot.meta, term: 5 } })).toThrow(/term/);
    expect(() =>
      raft.compact({ ...snapshot, meta: { ...snapshot.meta, conf: { voters: ['z'], learners: [] } } }),
    ).toThrow(/conf/);
    raft.compact(snapshot);
    expect(raft.status().firstIndex).toBe(2);
    expect(
      () => new Raft(config('a', { heartbeatTicks: 10 }), Raft.bootstrap({ voters: ['a'], learners: [] })),
    ).toThrow();
    expect(
      () =>
        new Raft(
          config('a', { leaseReads: true, checkQuorum: false }),
          Raft.bootstrap({ voters: ['a'], learners: [] }),
        ),
    ).toThrow();
    expect(
      () =>
        new Raft(config('a'), {
          hardState: { term: 1, vote: null, commit: 3 },
          snapshot: null,
          entries: [entry(1, 1)],
        }),
    ).toThrow();
    expect(
      () =>
        new Raft(config('a'), {
          hardState: { term: 1, vote: null, commit: 0 },
          snapshot: null,
          entries: [entry(2, 1)],
        }),
    ).toThrow();
  });

  it('a follower answers a snapshot chunk at an unexpected offset with its own offset', () => {
    const raft = new Raft(config('b'), { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] });
    const meta = { index: 10, term: 2, conf: { voters: ['a', 'b'], learners: [] } };
    const chunk = (offset: number, bytes: number[], done: boolean, index = 10): Message => ({
      type: 'snapshot',
      from: 'a',
      to: 'b',
      term: 2,
      meta: { ...meta, index },
      offset,
      totalBytes: 4,
      chunk: new Uint8Array(bytes),
      done,
    });
    const answers = () => raft.ready().messages.map((m) => (m.type === 'snapshotResp' ? [m.offset, m.success] : []));
    raft.step(chunk(2, [3, 4], true));
    expect(answers()).toEqual([[0, false]]);
    raft.advance(raft.ready());
    raft.step(chunk(0, [1, 2], false));
    raft.step(chunk(0, [1, 2], false));
    expect(answers()).toEqual([
      [2, true],
      [2, true],
    ]);
    raft.advance(raft.ready());
    // A different snapshot restarts the transfer.
    raft.step(chunk(0, [9, 9], false, 11));
    raft.step(chunk(2, [8, 8], true, 11));
    const ready = raft.ready();
    expect(ready.snapshot?.meta.index).toBe(11);
    expect([...(ready.snapshot?.data ?? [])]).toEqual([9, 9, 8, 8]);
    raft.advance(ready);
    expect(raft.status()).toMatchObject({ commit: 11, applied: 11, lastIndex: 11, conf: meta.conf, leader: 'a' });
  });

  it('step never throws on arbitrary messages, in any role', () => {
    const random = seededRandom(42);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const numbers = [0, 1, 2, 3, 5, 1000, -1, Number.NaN, 2 ** 60, 1.5];
    const types = [
      'preVote',
      'vote',
      'preVoteResp',
      'voteResp',
      'append',
      'appendResp',
      'heartbeat',
      'heartbeatResp',
      'commit',
      'snapshot',
      'snapshotResp',
      'timeoutNow',
      'readIndex',
      'readIndexResp',
      'bogus',
    ];
    const c = cluster(['a', 'b', 'c']);
    c.node('a').raft.campaign();
    c.stabilize(true);
    c.node('c').raft.tick();
    for (let i = 0; i < 30; i++) c.node('c').raft.tick();
    for (let i = 0; i < 5000; i++) {
      const to = pick(['a', 'b', 'c']);
      const n = () => pick(numbers);
      const entries = Array.from({ length: Math.floor(random() * 3) }, () => ({
        index: n(),
        term: n(),
        type: pick([0, 1, 7]),
        data: pick([new Uint8Array([1, 2]), encodeConfChange({ kind: 'removeNode', node: 'a' })]),
      }));
      const message = {
        type: pick(types),
        from: pick(['a', 'b', 'c', 'x', '', to]),
        to: pick([to, to, 'zz']),
        term: pick([0, 1, 2, 3, 4, 100, -1, Number.NaN]),
        lastLogIndex: n(),
        lastLogTerm: n(),
        force: pick([true, false, undefined]),
        granted: pick([true, false]),
        prevIndex: n(),
        prevTerm: n(),
        entries: pick([entries, undefined]),
        commit: n(),
        success: pick([true, false]),
        index: n(),
        hintIndex: n(),
        hintTerm: n(),
        readRound: n(),
        logTerm: n(),
        meta: pick([
          { index: n(), term: n(), conf: { voters: ['a'], learners: [] } },
          null,
          { index: 1, term: 1, conf: null },
        ]),
        offset: n(),
        totalBytes: n(),
        chunk: pick([new Uint8Array(3), undefined]),
        done: pick([true, false]),
        snapshotIndex: n(),
        context: pick(['ctx', undefined]),
      } as unknown as Message;
      const node = c.node(to);
      expect(() => node.raft.step(message)).not.toThrow();
      if (i % 50 === 0) {
        expect(() => {
          node.raft.tick();
          c.processAll(true);
          c.network = [];
        }).not.toThrow();
      }
    }
  });
});

describe('raft log', () => {
  it('stableTo ignores entries that were overwritten after the Ready was taken', () => {
    const log = new RaftLog(null, [entry(1, 1)], 1);
    log.truncateAndAppend([entry(2, 1), entry(3, 1)], 2);
    const handed = log.unstableEntries();
    log.truncateAndAppend([entry(3, 2)], 3);
    log.stableTo(handed);
    expect(log.stableIndex).toBe(2);
    expect(log.unstableEntries()).toEqual([entry(3, 2)]);
  });

  it.each([
    // log terms at 1..6 = [1,1,2,2,4,4]; (index, term) -> hint
    [6, 4, 6, 4],
    [6, 3, 4, 2],
    [6, 1, 2, 1],
    [3, 2, 3, 2],
    [9, 2, 4, 2],
    [6, 0, 0, 0],
  ])('findConflictByTerm(%i, %i) = %i@%i', (index, term, hintIndex, hintTerm) => {
    const log = new RaftLog(null, [entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 2), entry(5, 4), entry(6, 4)], 0);
    expect(log.findConflictByTerm(index, term)).toEqual({ index: hintIndex, term: hintTerm });
  });

  it('restore keeps the entries after a snapshot only if the log has its last entry', () => {
    const data = new Uint8Array(0);
    const conf = { voters: ['a'], learners: [] };
    const keep = new RaftLog(null, [entry(1, 1), entry(2, 1), entry(3, 1)], 1);
    keep.restore({ meta: { index: 2, term: 1, conf }, data });
    expect([keep.firstIndex(), keep.lastIndex(), keep.commit]).toEqual([3, 3, 2]);
    const drop = new RaftLog(null, [entry(1, 1), entry(2, 1), entry(3, 1)], 1);
    drop.restore({ meta: { index: 2, term: 2, conf }, data });
    expect([drop.firstIndex(), drop.lastIndex(), drop.commit]).toEqual([3, 2, 2]);
  });
});
