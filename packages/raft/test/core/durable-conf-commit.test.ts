/**
 * Goal: a committed membership change reaches the application only once this member would
 * still know it committed after a crash (FOUND-BUGS #5). A member restarts with the
 * configuration of its durable commit index; had it applied a removal whose commit was only in
 * memory, an operator could stop the removed member, and the crash would leave the last voter
 * counting it as a voter, waiting for its vote forever.
 * Method: a follower core of [n1, n2] (applying before durable, as `RaftNode` runs it) takes an
 * append that carries and commits n1's removal; the Config entry waits for the Ready whose hard
 * state records the commit to be persisted, while a data entry committed the same way is handed
 * out at once. Restarting from what was durable before that shows why.
 */
import { describe, expect, it } from 'vitest';
import { encodeConfChange } from '../../src/core/conf-change';
import { defaultRaftConfig, Raft, type RaftInitialState } from '../../src/core/raft';
import { type Entry, EntryType, type Message } from '../../src/core/types';

const removal: Entry = {
  index: 2,
  term: 2,
  type: EntryType.Config,
  data: encodeConfChange({ kind: 'removeNode', node: 'n1' }),
};
const data: Entry = { index: 2, term: 2, type: EntryType.Normal, data: new Uint8Array([7]) };

function core(initial: RaftInitialState): Raft {
  return new Raft({ ...defaultRaftConfig, id: 'n2', random: () => 0.5, applyBeforeDurable: true }, initial);
}

/** A fresh member of [n1, n2] that has applied the bootstrap entry. */
function follower(): Raft {
  const raft = core(Raft.bootstrap({ voters: ['n1', 'n2'], learners: [] }));
  raft.advance(raft.ready());
  return raft;
}

function appendCommitting(entry: Entry): Message {
  return { type: 'append', from: 'n1', to: 'n2', term: 2, prevIndex: 1, prevTerm: 1, entries: [entry], commit: 2 };
}

describe('raft core - membership changes wait for a durable commit', () => {
  it('a committed Config entry is handed out only after the hard state with its commit is persisted', () => {
    const raft = follower();
    raft.step(appendCommitting(removal));
    const first = raft.ready();
    expect(first.hardState?.commit).toBe(2);
    expect(first.entries.map((e) => e.index)).toEqual([2]);
    expect(first.committedEntries).toEqual([]);
    raft.acceptReady(first);
    expect(raft.hasReady()).toBe(false);

    raft.readyPersisted(first);
    expect(raft.hasReady()).toBe(true);
    const second = raft.ready();
    expect(second.committedEntries.map((e) => e.index)).toEqual([2]);
    raft.advance(second);
    expect(raft.status().conf.voters).toEqual(['n2']);
  });

  it('a data entry committed the same way is handed out at once', () => {
    const raft = follower();
    raft.step(appendCommitting(data));
    expect(raft.ready().committedEntries.map((e) => e.index)).toEqual([2]);
  });

  it('a member restarted before that hard state was durable still counts the removed voter', () => {
    // What was durable after the entry but before the commit: the entry, commit 1.
    const bootstrap = Raft.bootstrap({ voters: ['n1', 'n2'], learners: [] });
    const restarted = core({
      ...bootstrap,
      hardState: { term: 2, vote: null, commit: 1 },
      entries: [...bootstrap.entries, removal],
    });
    expect(restarted.status().conf.voters).toEqual(['n1', 'n2']);
    expect(restarted.ready().committedEntries.map((e) => e.index)).toEqual([1]);
  });
});
