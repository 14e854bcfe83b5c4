/** A register value as recorded in a history; `null` means the key is absent. */
export type Value = string | number;

/** What the client learned about an operation's effect. */
export type Outcome = 'ok' | 'fail' | 'unknown';

/** Fields shared by every recorded operation. */
interface OperationBase {
  /** The client that issued the operation; one process has at most one operation in flight. */
  process: string | number;
  key: string;
  /** Wall-clock time the client sent the request. */
  invokeMs: number;
  /** Time the client saw the reply; `null` when the outcome is unknown (timeout, lost connection). */
  completeMs: number | null;
  /** `fail` means the operation definitely had no effect (e.g. BadVersion for a cas). */
  outcome: Outcome;
}

/** A read; `value` is what was observed (`null` = absent). Meaningless unless `outcome` is `ok`. */
export interface ReadOperation extends OperationBase {
  type: 'read';
  value: Value | null;
}

/** An unconditional write of `value`. */
export interface WriteOperation extends OperationBase {
  type: 'write';
  value: Value;
}

/** Compare-and-set: writes `value` only if the current value is `expected` (`null` = absent). */
export interface CasOperation extends OperationBase {
  type: 'cas';
  expected: Value | null;
  value: Value;
}

/** One line of a history file. */
export type Operation = ReadOperation | WriteOperation | CasOperation;

/** A history line that is not a valid operation; `line` is 1-based. */
export class HistoryParseError extends Error {
  override readonly name = 'HistoryParseError';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`history line ${line}: ${reason}`);
  }
}

function isValue(v: unknown): v is Value {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Validates one decoded JSON object; throws {@link HistoryParseError} naming `line`. */
export function parseOperation(raw: unknown, line: number): Operation {
  const fail = (reason: string): never => {
    throw new HistoryParseError(line, reason);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('not a JSON object');
  const o = raw as Record<string, unknown>;
  const { process, key, type, invokeMs, completeMs, outcome } = o;
  if (typeof process !== 'string' && !(typeof process === 'number' && Number.isInteger(process))) {
    fail('`process` must be a string or an integer');
  }
  if (typeof key !== 'string') fail('`key` must be a string');
  if (!isTime(invokeMs)) fail('`invokeMs` must be a finite number');
  if (outcome !== 'ok' && outcome !== 'fail' && outcome !== 'unknown') {
    fail('`outcome` must be ok, fail or unknown');
  }
  if (outcome === 'unknown') {
    if (completeMs !== null) fail('`completeMs` must be null when the outcome is unknown');
  } else {
    if (!isTime(completeMs)) fail('`completeMs` must be a finite number when the outcome is known');
    if ((completeMs as number) < (invokeMs as number)) fail('`completeMs` is before `invokeMs`');
  }
  const base = {
    process: process as string | number,
    key: key as string,
    invokeMs: invokeMs as number,
    completeMs: completeMs as number | null,
    outcome: outcome as Outcome,
  };
  switch (type) {
    case 'read': {
      const value = o.value ?? null;
      if (value !== null && !isValue(value)) fail('read `value` must be a string, a number or null');
      return { ...base, type, value: value as Value | null };
    }
    case 'write':
      if (!isValue(o.value)) fail('write `value` must be a string or a number');
      return { ...base, type, value: o.value as Value };
    case 'cas': {
      const expected = o.expected;
      if (expected !== null && !isValue(expected)) fail('cas `expected` must be a string, a number or null');
      if (!isValue(o.value)) fail('cas `value` must be a string or a number');
      return { ...base, type, expected: expected as Value | null, value: o.value as Value };
    }
    default:
      return fail('`type` must be read, write or cas');
  }
}

/** Parses a JSON-lines history; blank lines are skipped. Throws {@link HistoryParseError}. */
export function parseHistory(text: string): Operation[] {
  const operations: Operation[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i]!.trim();
    if (source === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(source);
    } catch (error) {
      throw new HistoryParseError(i + 1, `invalid JSON (${(error as Error).message})`);
    }
    operations.push(parseOperation(raw, i + 1));
  }
  return operations;
}

/** Serialises operations as JSON lines (the inverse of {@link parseHistory}). */
export function formatHistory(operations: readonly Operation[]): string {
  return operations.map((op) => JSON.stringify(op)).join('\n') + (operations.length > 0 ? '\n' : '');
}
