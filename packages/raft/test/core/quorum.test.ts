/**
 * Goal: the majority arithmetic behind commit, elections and check-quorum is exact.
 * Method: table tests over voter sets of sizes 0 to 5 with hand-computed expectations.
 */
import { describe, expect, it } from 'vitest';
import { committedIndex, hasQuorum, quorumSize, voteResult } from '../../src/core/quorum';

describe('quorum', () => {
  it.each([
    [1, 1],
    [2, 2],
    [3, 2],
    [4, 3],
    [5, 3],
  ])('quorumSize(%i) = %i', (n, q) => {
    expect(quorumSize(n)).toBe(q);
  });

  it.each([
    [[], 0],
    [[7], 7],
    [[5, 3], 3],
    [[5, 3, 1], 3],
    [[1, 5, 3], 3],
    [[2, 2, 9, 9], 2],
    [[4, 4, 4, 0, 0], 4],
    [[9, 8, 0, 0, 0], 0],
  ])('committedIndex(%j) = %i', (matches, expected) => {
    const voters = matches.map((_, i) => `n${i}`);
    expect(committedIndex(voters, (id) => matches[Number(id.slice(1))] ?? 0)).toBe(expected);
  });

  it.each([
    ['no voters', [], {}, 'lost'],
    ['single voter granted', ['a'], { a: true }, 'won'],
    ['3 voters, 1 yes', ['a', 'b', 'c'], { a: true }, 'pending'],
    ['3 voters, 2 yes', ['a', 'b', 'c'], { a: true, b: true }, 'won'],
    ['3 voters, 2 no', ['a', 'b', 'c'], { a: true, b: false, c: false }, 'lost'],
    ['4 voters, 2 yes 1 no', ['a', 'b', 'c', 'd'], { a: true, b: true, c: false }, 'pending'],
    ['4 voters, 2 yes 2 no', ['a', 'b', 'c', 'd'], { a: true, b: true, c: false, d: false }, 'lost'],
    ['non-voters do not count', ['a', 'b', 'c'], { a: true, x: true, y: true }, 'pending'],
  ] as const)('voteResult: %s', (_name, voters, votes, expected) => {
    expect(voteResult(voters, new Map(Object.entries(votes)))).toBe(expected);
  });

  it('hasQuorum counts only voters that satisfy the predicate', () => {
    expect(hasQuorum(['a', 'b', 'c'], (id) => id !== 'c')).toBe(true);
    expect(hasQuorum(['a', 'b', 'c'], (id) => id === 'a')).toBe(false);
    expect(hasQuorum([], () => true)).toBe(false);
  });
});
