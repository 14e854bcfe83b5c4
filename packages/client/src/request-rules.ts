/**
 * Per-op rules of requests: the answer type each op expects, which reads are sent again after a
 * lost connection, and the typed errors the client raises itself.
 */
import { AbortedError, type RequestOp, type ServerMessage, TimeoutError, writeOps } from '@keel/protocol';
import type { RequestBody } from './pending-requests';

/**
 * Requests sent again on the next connection when theirs is lost: they change nothing, and
 * answering them from a later state is still correct (they were not answered before).
 */
export const retriedReads: ReadonlySet<RequestOp> = new Set<RequestOp>([
  'get',
  'exists',
  'children',
  'sync',
  'listMembers',
]);

/** The answer type a successful request of `op` gets. */
export function answerTypeOf(op: RequestOp): ServerMessage['type'] {
  if (op === 'connect' || op === 'resume') return 'connected';
  if (op === 'ping') return 'pong';
  return op;
}

/** The error of a request whose signal fired. */
export function abortedError(signal: AbortSignal | undefined): AbortedError {
  return new AbortedError('the request was aborted', { cause: signal?.reason });
}

/** The error of a request that got no answer in time; for a write it says the outcome is unknown. */
export function timeoutError(body: RequestBody, timeoutMs: number): TimeoutError {
  const path = 'path' in body ? body.path : undefined;
  return new TimeoutError(
    `${body.op} got no answer within ${timeoutMs} ms${unknownOutcome(body.op)}`,
    path === undefined ? undefined : { path },
  );
}

/** The message of a request whose connection was lost. */
export function connectionLossMessage(op: RequestOp, reason: string): string {
  return `${op}: ${reason}${unknownOutcome(op)}`;
}

function unknownOutcome(op: RequestOp): string {
  return writeOps.has(op) ? '; the write may or may not have been applied' : '';
}
