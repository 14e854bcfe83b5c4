/**
 * What applying a command produces: the result the waiting client receives, and the change
 * events that watches will be fed from.
 */
import type { ErrorCode, MultiResult, Stat, WatchEventType } from '@keel/protocol';

/** An operation error with a ZooKeeper error code. */
export interface OperationError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly path?: string;
}

/** The result of one applied command (or of an entry that carried none). */
export type CommandResult =
  | { readonly type: 'create'; readonly path: string; readonly stat: Stat }
  | { readonly type: 'delete' }
  | { readonly type: 'set'; readonly stat: Stat }
  | { readonly type: 'multi'; readonly results: readonly MultiResult[] }
  | { readonly type: 'createSession'; readonly sessionId: string; readonly timeoutMs: number }
  | { readonly type: 'moveSession'; readonly sessionId: string; readonly owner: string }
  /** `deleted`: the session's ephemeral nodes (and containers they emptied), in deletion order. */
  | {
      readonly type: 'closeSession';
      readonly sessionId: string;
      readonly reason: 'closed' | 'expired';
      readonly deleted: readonly string[];
    }
  /** `deleted`: the expired TTL nodes (and containers they emptied), in deletion order. */
  | { readonly type: 'sweep'; readonly deleted: readonly string[] }
  /** `sessionIds`: the listed sessions that are open (for the leader's liveness clocks). */
  | { readonly type: 'touchSessions'; readonly sessionIds: readonly string[] }
  /** The command's request id was applied before: this delivery changed nothing. */
  | { readonly type: 'duplicate' }
  /** An empty entry (the leader's no-op) or a configuration entry. */
  | { readonly type: 'none' }
  | ({ readonly type: 'error' } & OperationError);

/** One change to the tree, for watches. Every change of one entry has that entry's revision. */
export interface ChangeEvent {
  readonly type: WatchEventType;
  readonly path: string;
  readonly revision: number;
}

/** What `apply` returns for one entry. */
export interface ApplyOutcome {
  /** The entry's index: the revision of every change it made. */
  readonly revision: number;
  readonly result: CommandResult;
  /** The changes, in the order they were made; empty when the command failed. */
  readonly changes: readonly ChangeEvent[];
  /** The request id the command carried, if any (its sender waits for it). */
  readonly requestId?: string;
}
