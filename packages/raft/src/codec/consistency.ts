/**
 * Cross-field rules of a message that the types alone cannot state. Both the encoder and
 * the decoder apply them, so a member never sends what its peers would refuse.
 */

import type { ConfState, Entry } from '../core/types';
import { EntryType } from '../core/types';

/**
 * Why `entries` cannot follow `prevIndex`/`prevTerm` in an append of `term`, or null if
 * they can: indexes continue without gaps, terms never decrease and never exceed `term`.
 */
export function appendEntriesProblem(
  prevIndex: number,
  prevTerm: number,
  term: number,
  entries: readonly Entry[],
): string | null {
  let lastTerm = prevTerm;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.index !== prevIndex + 1 + i) return 'entry indexes are not contiguous after prevIndex';
    if (entry.term < lastTerm) return 'entry terms decrease';
    if (entry.term > term) return 'entry term is above the message term';
    if (entry.type !== EntryType.Normal && entry.type !== EntryType.Config) return 'unknown entry type';
    lastTerm = entry.term;
  }
  return null;
}

/** Why `conf` is inconsistent (a member listed twice), or null. */
export function confProblem(conf: ConfState): string | null {
  const total = conf.voters.length + conf.learners.length;
  if (total < 2) return null;
  const seen = new Set<string>();
  for (const id of conf.voters) seen.add(id);
  for (const id of conf.learners) seen.add(id);
  return seen.size === total ? null : 'a member is listed twice in the configuration';
}
