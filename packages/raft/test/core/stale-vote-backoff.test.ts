/**
 * Goal: a member that refuses a vote request from a lower term, sent by a member whose log is
 * longer than its own, starts its election timeout again, so that the asker's next round
 * (in the term it just learned from the refusal) is not overtaken by yet another campaign of
 * ours. Without pre-vote, a voter far behind with a stale configuration (one that does not
 * even list the asker) used to raise its term just ahead of the only member a quorum could
 * elect, round after round (simulator seed 2817 with `--lease-reads --peer-gone`: 486 ticks to
 * a leader against a 400-tick budget).
 * Method: one core without pre-vote campaigning alone; count the ticks to its next term with
 * and without such a request, and with requests that must not delay it.
 */
import { describe, expect, it } from 'vitest';
import { defaultRaftConfig, Raft } from '../../src/core/raft';
import type { Message } from '../../src/core/types';

const electionTicks = 10;

/** n2 of [n1, n2, n3], a candidate in term 2 after its first timeout (nobody answers). */
function candidate(): Raft {
  const raft = new Raft(
    { ...defaultRaftConfig, id: 'n2', electionTicks, preVote: false, checkQuorum: false, random: () => 0.5 },
    Raft.bootstrap({ voters: ['n1', 'n2', 'n3'], learners: [] }),
  );
  raft.advance(raft.ready());
  while (raft.status().term < 2) raft.tick();
  raft.advance(raft.ready());
  return raft;
}

/** Ticks until the term moves past `term`. */
function ticksToNextTerm(raft: Raft, term: number): number {
  for (let ticks = 1; ticks <= 10 * electionTicks; ticks++) {
    raft.tick();
    if (raft.status().term > term) return ticks;
  }
  throw new Error('no new campaign');
}

function staleVote(lastLogIndex: number, lastLogTerm: number, type: 'vote' | 'preVote' = 'vote'): Message {
  return { type, from: 'n3', to: 'n2', term: 1, lastLogIndex, lastLogTerm, force: false };
}

describe('raft core - a refused stale vote from a longer log delays our next campaign', () => {
  const half = 5;

  function afterRequestAtHalfTime(request: Message | null): number {
    const raft = candidate();
    for (let i = 0; i < half; i++) raft.tick();
    if (request !== null) raft.step(request);
    const answer = raft.ready().messages.find((m) => m.type === 'voteResp' || m.type === 'preVoteResp');
    if (request !== null) expect(answer).toMatchObject({ to: 'n3', term: 2, granted: false });
    return half + ticksToNextTerm(raft, 2);
  }

  it('a longer log: the timeout starts again from the refusal', () => {
    const undisturbed = afterRequestAtHalfTime(null);
    expect(afterRequestAtHalfTime(staleVote(9, 1))).toBe(half + undisturbed);
  });

  it('a log no longer than ours changes nothing', () => {
    const undisturbed = afterRequestAtHalfTime(null);
    expect(afterRequestAtHalfTime(staleVote(1, 1))).toBe(undisturbed);
    expect(afterRequestAtHalfTime(staleVote(0, 0))).toBe(undisturbed);
  });

  it('a stale pre-vote changes nothing: its asker may never hear the refusal and ask again at that term', () => {
    const undisturbed = afterRequestAtHalfTime(null);
    expect(afterRequestAtHalfTime(staleVote(9, 1, 'preVote'))).toBe(undisturbed);
  });
});
