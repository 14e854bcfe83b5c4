import type { CasOperation, Outcome, ReadOperation, Value, WriteOperation } from '../src/history';

// Terse builders for hand-written histories; `completeMs` null means the outcome is unknown.

export function write(
  process: number,
  value: Value,
  invokeMs: number,
  completeMs: number | null,
  key = 'k',
): WriteOperation {
  return { process, key, type: 'write', value, invokeMs, completeMs, outcome: completeMs === null ? 'unknown' : 'ok' };
}

export function read(
  process: number,
  value: Value | null,
  invokeMs: number,
  completeMs: number,
  key = 'k',
): ReadOperation {
  return { process, key, type: 'read', value, invokeMs, completeMs, outcome: 'ok' };
}

export function cas(
  process: number,
  expected: Value | null,
  value: Value,
  invokeMs: number,
  completeMs: number | null,
  outcome: Outcome = completeMs === null ? 'unknown' : 'ok',
  key = 'k',
): CasOperation {
  return { process, key, type: 'cas', expected, value, invokeMs, completeMs, outcome };
}
