/**
 * How a failed request maps to an outcome: an error the state machine decided (BadVersion,
 * NoNode ...) means the write had no effect; anything else (ConnectionLoss, Timeout, a session
 * lost with the request in flight, NotLeader while forwarding) leaves its effect unknown.
 */
import { isKeelError } from '@keel/client';
import type { Outcome } from '../history';

/** Error codes that prove a write did not happen. */
const definiteFailures = new Set([
  'NoNode',
  'NodeExists',
  'BadVersion',
  'NotEmpty',
  'NoChildrenForEphemerals',
  'BadArguments',
  'TooLarge',
]);

/** `fail` if `error` proves the request had no effect, else `unknown`. */
export function outcomeOf(error: unknown): Exclude<Outcome, 'ok'> {
  return isKeelError(error) && definiteFailures.has(error.code) ? 'fail' : 'unknown';
}

/** The error's code, or its name, for logs and tallies. */
export function errorCode(error: unknown): string {
  if (isKeelError(error)) return error.code;
  return error instanceof Error ? error.name : 'unknown';
}
