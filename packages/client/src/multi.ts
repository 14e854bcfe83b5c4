/**
 * `multi()`: the operations a caller writes, their wire form, and the error a failed multi
 * rejects with.
 */
import {
  type CreateMode,
  errorFromWire,
  InternalError,
  type KeelError,
  type MultiOp,
  type MultiResult,
} from '@keel/protocol';
import { type NodeData, toBytes } from './data';

/** One operation of a multi, ZooKeeper's `Op`. `version` is the expected version (`-1` or absent: any). */
export type MultiOperation =
  | { readonly op: 'check'; readonly path: string; readonly version: number }
  | {
      readonly op: 'create';
      readonly path: string;
      readonly data?: NodeData;
      readonly mode?: CreateMode;
      readonly ttlMs?: number;
    }
  | { readonly op: 'set'; readonly path: string; readonly data: NodeData; readonly version?: number }
  | { readonly op: 'delete'; readonly path: string; readonly version?: number };

/** The result of one operation of a successful multi. */
export type MultiSuccess = Exclude<MultiResult, { readonly op: 'error' } | { readonly op: 'rolledBack' }>;

/** What a failed multi's error carries besides its code: every operation's result. */
export interface MultiFailure {
  /** One result per operation: the failing one is `error`, the others `rolledBack`. */
  readonly results: readonly MultiResult[];
  /** Index of the operation that failed. */
  readonly failedIndex: number;
}

/** The expected version on the wire: absent means any (ZooKeeper's -1). */
export function expectedVersionOf(version: number | undefined): number | undefined {
  return version === undefined || version === -1 ? undefined : version;
}

/** The wire form of the operations. */
export function toWireOps(operations: readonly MultiOperation[]): MultiOp[] {
  return operations.map(toWireOp);
}

function toWireOp(operation: MultiOperation): MultiOp {
  switch (operation.op) {
    case 'check':
      return { op: 'check', path: operation.path, expectedVersion: operation.version };
    case 'create':
      return {
        op: 'create',
        path: operation.path,
        data: toBytes(operation.data),
        mode: operation.mode ?? 'persistent',
        ...(operation.ttlMs === undefined ? {} : { ttlMs: operation.ttlMs }),
      };
    case 'set': {
      const expectedVersion = expectedVersionOf(operation.version);
      return {
        op: 'set',
        path: operation.path,
        data: toBytes(operation.data),
        ...(expectedVersion === undefined ? {} : { expectedVersion }),
      };
    }
    case 'delete': {
      const expectedVersion = expectedVersionOf(operation.version);
      return { op: 'delete', path: operation.path, ...(expectedVersion === undefined ? {} : { expectedVersion }) };
    }
  }
}

/**
 * The results of a successful multi, or the error of a failed one: the failing operation's
 * error class (for example `BadVersionError`, so `isKeelError(error, 'BadVersion')` holds) with
 * the {@link MultiFailure} fields added.
 */
export function settleMulti(results: readonly MultiResult[]): MultiSuccess[] | (KeelError & MultiFailure) {
  const failedIndex = results.findIndex((result) => result.op === 'error');
  if (failedIndex < 0) {
    if (results.some((result) => result.op === 'rolledBack')) {
      return Object.assign(new InternalError('multi answered rolledBack without an error'), {
        results,
        failedIndex: -1,
      });
    }
    return results as MultiSuccess[];
  }
  const failed = results[failedIndex] as Extract<MultiResult, { op: 'error' }>;
  const error = errorFromWire({
    code: failed.code,
    message: `multi operation ${failedIndex} failed: ${failed.message}`,
    ...(failed.path === undefined ? {} : { path: failed.path }),
  });
  return Object.assign(error, { results, failedIndex });
}

/** Whether an error is a failed multi's, with its per-operation results. */
export function isMultiFailure(error: unknown): error is KeelError & MultiFailure {
  return (
    typeof error === 'object' &&
    error !== null &&
    Array.isArray((error as { results?: unknown }).results) &&
    typeof (error as { failedIndex?: unknown }).failedIndex === 'number'
  );
}
