// Goal: the lock witness check flags overlapping holders and fencing tokens that do not increase,
// and accepts clean hand-overs, revocations included.
// Method: hand-written witness sequences.
import { describe, expect, it } from 'vitest';
import { checkWitness, type WitnessEvent } from '../src/workloads/lock';

const at = (event: WitnessEvent['event'], worker: number, token: number, atMs: number): WitnessEvent => ({
  event,
  worker,
  token,
  atMs,
});

describe('checkWitness', () => {
  it('accepts hand-overs and revocations', () => {
    expect(
      checkWitness([
        at('acquire', 1, 10, 0),
        at('release', 1, 10, 1),
        at('acquire', 2, 12, 2),
        at('revoked', 2, 12, 3),
        at('acquire', 1, 15, 4),
      ]),
    ).toEqual([]);
  });

  it('flags a second holder before the first released', () => {
    const anomalies = checkWitness([at('acquire', 1, 10, 0), at('acquire', 2, 12, 1), at('release', 1, 10, 2)]);
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]).toContain('worker 2 acquired');
  });

  it('flags a fencing token that does not increase', () => {
    const anomalies = checkWitness([at('acquire', 1, 10, 0), at('release', 1, 10, 1), at('acquire', 2, 9, 2)]);
    expect(anomalies).toEqual(['fencing token 9 of worker 2 does not exceed the previous 10']);
  });

  it('a release by someone else does not end the holder', () => {
    expect(checkWitness([at('acquire', 1, 10, 0), at('release', 2, 8, 1), at('acquire', 3, 11, 2)])).toHaveLength(1);
  });
});
