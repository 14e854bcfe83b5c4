// Goal: a stopping leader picks the right successor: another voter that answered recently with
// the highest match index, never a learner, a silent voter or itself, and nobody when it does
// not lead.
// Method: transferTarget on hand-written node statuses (a pure function).
import type { PeerProgress } from '@keel/raft';
import { describe, expect, it } from 'vitest';
import { transferTarget } from '../../src/cli/shutdown';

function progress(match: number, recentActive = true, learner = false): PeerProgress {
  return { match, next: match + 1, state: 'replicate', inflight: 0, recentActive, learner };
}

const leading = {
  id: 'a',
  role: 'leader' as const,
  conf: { voters: ['a', 'b', 'c'], learners: ['l'] },
  progress: new Map([
    ['a', progress(100)],
    ['b', progress(90)],
    ['c', progress(95)],
    ['l', progress(100, true, true)],
  ]),
};

describe('shutdown - transfer target', () => {
  it('picks the most caught-up active voter', () => {
    expect(transferTarget(leading)).toBe('c');
  });

  it('prefers an active voter to a silent one, however far ahead', () => {
    const progressMap = new Map(leading.progress);
    progressMap.set('c', progress(99, false));
    expect(transferTarget({ ...leading, progress: progressMap })).toBe('b');
  });

  it('picks nobody when no other voter answers', () => {
    const progressMap = new Map([
      ['b', progress(90, false)],
      ['c', progress(95, false)],
    ]);
    expect(transferTarget({ ...leading, progress: progressMap })).toBeNull();
  });

  it('picks nobody when not leading or alone', () => {
    expect(transferTarget({ ...leading, role: 'follower', progress: null })).toBeNull();
    expect(transferTarget({ ...leading, conf: { voters: ['a'], learners: ['l'] } })).toBeNull();
  });
});
