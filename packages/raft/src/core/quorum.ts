/**
 * Majority arithmetic over a single voter set (one-server-at-a-time membership never needs
 * joint quorums). Pure functions so they can be table-tested on their own.
 */
import type { NodeId } from './types';

/** Votes needed for a majority of `voterCount` voters (0 voters never reach a quorum). */
export function quorumSize(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/**
 * The highest index that a majority of voters has matched: sort the match indexes in
 * descending order and take the one at position quorum - 1. No voters means nothing commits.
 */
export function committedIndex(voters: readonly NodeId[], matchOf: (id: NodeId) => number): number {
  if (voters.length === 0) return 0;
  const matches = voters.map(matchOf).sort((a, b) => b - a);
  return matches[quorumSize(voters.length) - 1] ?? 0;
}

/** Outcome of an election given the answers so far. */
export type VoteResult = 'won' | 'lost' | 'pending';

/** Tallies `votes` (granted or not) of voters; answers from non-voters are ignored. */
export function voteResult(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.length === 0) return 'lost';
  let granted = 0;
  let rejected = 0;
  for (const voter of voters) {
    const vote = votes.get(voter);
    if (vote === true) granted++;
    else if (vote === false) rejected++;
  }
  const quorum = quorumSize(voters.length);
  if (granted >= quorum) return 'won';
  // Once the missing answers could no longer make a majority the election is lost.
  if (voters.length - rejected < quorum) return 'lost';
  return 'pending';
}

/** True when `predicate` holds for a majority of `voters`. */
export function hasQuorum(voters: readonly NodeId[], predicate: (id: NodeId) => boolean): boolean {
  if (voters.length === 0) return false;
  let count = 0;
  for (const voter of voters) if (predicate(voter)) count++;
  return count >= quorumSize(voters.length);
}
