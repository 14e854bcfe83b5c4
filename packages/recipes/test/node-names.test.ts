// Goal: the ordering every sequential-node recipe relies on: `sortedBySequence` orders lock,
// election and barrier nodes by their 10-digit sequence (not by name, which the protection id
// scrambles), keeps only the names carrying the marker, and drops names without a sequence.
// Method: plain names as a member lists them, in scrambled order.
import { describe, expect, it } from 'vitest';
import { protectedId, sortedBySequence, unprotectedName } from '../src/internal/nodes';

describe('node names', () => {
  it('sorts by sequence number whatever the protection id, keeping only the marker', () => {
    const a = `${protectedId()}lock-0000000012`;
    const b = `${protectedId()}lock-0000000003`;
    const c = 'lock-0000000007';
    const reader = `${protectedId()}read-0000000005`;
    const children = [a, 'lock-without-sequence', reader, b, 'config', c];
    expect(sortedBySequence(children, 'lock-')).toEqual([b, c, a]);
    expect(sortedBySequence(children)).toEqual([b, reader, c, a]);
    expect(sortedBySequence([])).toEqual([]);
    expect(unprotectedName(a)).toBe('lock-0000000012');
  });
});
