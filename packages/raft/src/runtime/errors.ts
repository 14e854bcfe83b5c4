/**
 * Errors a `RaftNode` hands to its callers. Each failure has its own class with a stable
 * `name` and `code`, so callers can branch on `error.code` without parsing messages.
 */
import type { NodeId } from '../core/types';

/** Every code a {@link RaftNodeError} can carry. */
export type RaftNodeErrorCode =
  | 'NOT_LEADER'
  | 'PROPOSAL_DROPPED'
  | 'NODE_STOPPED'
  | 'THROTTLED'
  | 'ABORTED'
  | 'TIMEOUT'
  | 'CONF_CHANGE_PENDING'
  | 'INVALID_CONF_CHANGE'
  | 'TRANSFERRING'
  | 'TOO_LARGE'
  | 'INVALID_PROPOSAL'
  | 'NODE_FAILED';

/** Base class of every runtime error. */
export class RaftNodeError extends Error {
  readonly code: RaftNodeErrorCode;
  constructor(code: RaftNodeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RaftNodeError';
    this.code = code;
  }
}

/** This member does not lead; `leader` (and `leaderUrl` when known) say where to go instead. */
export class NotLeaderError extends RaftNodeError {
  readonly leader: NodeId | null;
  readonly leaderUrl: string | null;
  constructor(leader: NodeId | null, leaderUrl: string | null) {
    super('NOT_LEADER', leader === null ? 'no leader is known' : `not the leader; the leader is ${leader}`);
    this.name = 'NotLeaderError';
    this.leader = leader;
    this.leaderUrl = leaderUrl;
  }
}

/**
 * The proposal's log slot was taken by another leader's entry (leadership changed before it
 * committed), or the outcome can no longer be observed here (a snapshot replaced the log).
 * The data may or may not have been applied; retrying must be idempotent.
 */
export class ProposalDroppedError extends RaftNodeError {
  readonly index: number;
  constructor(index: number, reason: string) {
    super('PROPOSAL_DROPPED', `proposal at index ${index} was dropped: ${reason}`);
    this.name = 'ProposalDroppedError';
    this.index = index;
  }
}

/** The node was stopped (or failed) before the request completed. */
export class NodeStoppedError extends RaftNodeError {
  constructor(cause?: unknown) {
    super('NODE_STOPPED', 'the raft node is stopped', cause === undefined ? undefined : { cause });
    this.name = 'NodeStoppedError';
  }
}

/** Too many requests are waiting; retry later. */
export class ThrottledError extends RaftNodeError {
  readonly limit: number;
  constructor(limit: number) {
    super('THROTTLED', `too many pending requests (limit ${limit})`);
    this.name = 'ThrottledError';
    this.limit = limit;
  }
}

/** The caller's `AbortSignal` fired. A proposal already in the log may still commit. */
export class AbortedError extends RaftNodeError {
  constructor(cause?: unknown) {
    super('ABORTED', 'the request was aborted', cause === undefined ? undefined : { cause });
    this.name = 'AbortedError';
  }
}

/** A request that depends on other members (read index, leadership transfer) took too long. */
export class TimeoutError extends RaftNodeError {
  constructor(what: string, timeoutMs: number) {
    super('TIMEOUT', `${what} did not complete within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

/** Another membership change is not yet committed; only one may be in flight. */
export class ConfChangePendingError extends RaftNodeError {
  constructor() {
    super('CONF_CHANGE_PENDING', 'another membership change is still pending');
    this.name = 'ConfChangePendingError';
  }
}

/** The membership change does not fit the current configuration (unknown member, duplicate ...). */
export class InvalidConfChangeError extends RaftNodeError {
  constructor(detail: string) {
    super('INVALID_CONF_CHANGE', `invalid membership change: ${detail}`);
    this.name = 'InvalidConfChangeError';
  }
}

/**
 * Leadership is being handed over (a transfer, or the leader's own removal is not yet
 * committed); proposals are refused until it completes or times out.
 */
export class TransferringError extends RaftNodeError {
  constructor() {
    super('TRANSFERRING', 'leadership transfer in progress');
    this.name = 'TransferringError';
  }
}

/** The proposal is larger than the core accepts in one entry. */
export class TooLargeError extends RaftNodeError {
  constructor() {
    super('TOO_LARGE', 'proposal is too large');
    this.name = 'TooLargeError';
  }
}

/** The proposal itself is unacceptable (e.g. empty: an empty entry is the leader's no-op). */
export class InvalidProposalError extends RaftNodeError {
  constructor(detail: string) {
    super('INVALID_PROPOSAL', `invalid proposal: ${detail}`);
    this.name = 'InvalidProposalError';
  }
}

/** Storage (or restoring a snapshot) failed; the node stopped itself: it can no longer promise durability. */
export class NodeFailedError extends RaftNodeError {
  constructor(cause: unknown) {
    super('NODE_FAILED', 'the raft node failed and stopped (storage or state machine restore)', { cause });
    this.name = 'NodeFailedError';
  }
}

/** True for any error thrown by a `RaftNode`. */
export function isRaftNodeError(error: unknown): error is RaftNodeError {
  return error instanceof RaftNodeError;
}
