/**
 * Shape checks for messages from peers. The codec already validates frames, but the core must
 * not trust its callers either: anything that fails here is dropped rather than thrown on.
 */

import type { Entry, ForwardRequest, MemberChange, Message, NodeId } from './types';
import { EntryType } from './types';

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isId = (s: unknown): s is NodeId => typeof s === 'string' && s.length > 0;

/** True if `m` is addressed to `self`, from someone else, and its fields have sane types. */
export function isWellFormed(m: Message, self: NodeId): boolean {
  if (typeof m !== 'object' || m === null) return false;
  if (m.to !== self || !isId(m.from) || m.from === self || !isCount(m.term)) return false;
  switch (m.type) {
    case 'preVote':
    case 'vote':
      return isCount(m.lastLogIndex) && isCount(m.lastLogTerm) && typeof m.force === 'boolean';
    case 'preVoteResp':
    case 'voteResp':
      return typeof m.granted === 'boolean';
    case 'append':
      return isCount(m.prevIndex) && isCount(m.prevTerm) && isCount(m.commit) && Array.isArray(m.entries);
    case 'appendResp':
      return typeof m.success === 'boolean' && isCount(m.index) && isCount(m.hintIndex) && isCount(m.hintTerm);
    case 'heartbeat':
      return isCount(m.commit) && isCount(m.readRound);
    case 'heartbeatResp':
      return isCount(m.readRound);
    case 'commit':
      return isCount(m.index) && isCount(m.logTerm) && isCount(m.commit);
    case 'snapshot':
      return (
        typeof m.meta === 'object' &&
        m.meta !== null &&
        isCount(m.meta.index) &&
        isCount(m.meta.term) &&
        m.meta.index > 0 &&
        typeof m.meta.conf === 'object' &&
        m.meta.conf !== null &&
        Array.isArray(m.meta.conf.voters) &&
        Array.isArray(m.meta.conf.learners) &&
        isCount(m.offset) &&
        isCount(m.totalBytes) &&
        m.chunk instanceof Uint8Array &&
        typeof m.done === 'boolean'
      );
    case 'snapshotResp':
      return (
        isCount(m.snapshotIndex) && isCount(m.offset) && typeof m.success === 'boolean' && typeof m.done === 'boolean'
      );
    case 'timeoutNow':
      return true;
    case 'readIndex':
      return typeof m.context === 'string';
    case 'readIndexResp':
      return typeof m.context === 'string' && Number.isSafeInteger(m.index) && m.index >= -1;
    case 'forward':
      return isForwardRequest(m.request);
    default:
      return false;
  }
}

/**
 * True if the entries of an append continue `prevIndex` without gaps, with terms that never
 * decrease, start at or after `prevTerm` and never exceed the leader's `term`.
 */
export function entriesWellFormed(
  entries: readonly Entry[],
  prevIndex: number,
  prevTerm: number,
  term: number,
): boolean {
  let expected = prevIndex + 1;
  let lastTerm = prevTerm;
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null) return false;
    if (entry.index !== expected || !isCount(entry.term) || entry.term < lastTerm || entry.term > term) return false;
    if (entry.type !== EntryType.Normal && entry.type !== EntryType.Config) return false;
    if (!(entry.data instanceof Uint8Array)) return false;
    expected++;
    lastTerm = entry.term;
  }
  return true;
}

const memberChangeKinds: ReadonlySet<string> = new Set(['addVoter', 'addLearner', 'promoteLearner', 'removeNode']);

/** True for a membership change that may be forwarded (any kind but `bootstrap`). */
export function isMemberChange(change: unknown): change is MemberChange {
  if (typeof change !== 'object' || change === null) return false;
  const c = change as { kind?: unknown; node?: unknown; context?: unknown };
  return (
    typeof c.kind === 'string' &&
    memberChangeKinds.has(c.kind) &&
    isId(c.node) &&
    (c.context === undefined || c.context instanceof Uint8Array)
  );
}

/**
 * True for a well-formed forwarded request: at least one payload and none empty (an empty
 * Normal entry is the leader's no-op, never application data), a non-bootstrap membership
 * change, or a transfer to a named member.
 */
export function isForwardRequest(request: unknown): request is ForwardRequest {
  if (typeof request !== 'object' || request === null) return false;
  const r = request as { kind?: unknown; entries?: unknown; change?: unknown; target?: unknown };
  switch (r.kind) {
    case 'entries':
      return (
        Array.isArray(r.entries) &&
        r.entries.length > 0 &&
        r.entries.every((data: unknown) => data instanceof Uint8Array && data.length > 0)
      );
    case 'confChange':
      return isMemberChange(r.change);
    case 'transfer':
      return isId(r.target);
    default:
      return false;
  }
}
