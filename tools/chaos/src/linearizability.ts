import type { Operation, Value } from './history';

/** Search steps allowed per key before the checker gives up with `unknown`. */
export const CHECK_STEPS_MAX_DEFAULT = 2_000_000;

/** `unknown` means the step budget ran out before a verdict. */
export type Verdict = 'linearizable' | 'not-linearizable' | 'unknown';

/** Why a key's history is not linearizable. */
export interface Explanation {
  /** The longest order found in which the operations are legal, in linearization order. */
  prefix: Operation[];
  /** The register value after `prefix`. */
  state: Value | null;
  /** The completed operation that returns earliest among those not in `prefix`: nothing legal could place it. */
  blocked: Operation;
}

/** The verdict for one key. */
export interface KeyResult {
  key: string;
  verdict: Verdict;
  /** True only when a linearization was found. */
  linearizable: boolean;
  /** Operations considered (failed operations and reads with unknown outcome are dropped). */
  operations: number;
  steps: number;
  /** Present when `verdict` is `not-linearizable`. */
  explanation?: Explanation;
}

/** The verdict for a whole history. */
export interface CheckResult {
  verdict: Verdict;
  keys: KeyResult[];
}

/** Checker options. */
export interface CheckOptions {
  /** Per key search budget; default {@link CHECK_STEPS_MAX_DEFAULT}. */
  stepsMax?: number;
  /** The value every key has before the history starts; default absent (`null`). */
  initial?: Value | null;
}

interface Call {
  op: Operation;
  invokeMs: number;
  /** Infinity when the outcome is unknown: such an operation may take effect any time after invocation, or never. */
  returnMs: number;
}

/** The register-with-CAS model: returns the next state, or `undefined` if `op` cannot happen in `state`. */
function step(state: Value | null, op: Operation): { next: Value | null } | undefined {
  switch (op.type) {
    case 'read':
      return op.value === state ? { next: state } : undefined;
    case 'write':
      return { next: op.value };
    case 'cas':
      return op.expected === state ? { next: op.value } : undefined;
  }
}

/** Failed operations had no effect, and a read whose reply never came observed nothing. */
function relevant(op: Operation): boolean {
  if (op.outcome === 'fail') return false;
  if (op.type === 'read' && op.outcome !== 'ok') return false;
  return true;
}

interface Frame {
  state: Value | null;
  candidates: number[];
  next: number;
}

/**
 * Checks one key's operations against a single register (Wing & Gong search with the
 * Lowe / Porcupine memo of (linearized set, state)). Depth-first over the calls that may go
 * next: those invoked no later than the earliest return among calls not yet linearized.
 * Success needs every completed call placed; unknown-outcome calls may stay unplaced.
 */
export function checkKey(key: string, operations: readonly Operation[], options: CheckOptions = {}): KeyResult {
  const stepsMax = options.stepsMax ?? CHECK_STEPS_MAX_DEFAULT;
  const initial = options.initial ?? null;
  const calls: Call[] = operations
    .filter(relevant)
    .map((op) => ({ op, invokeMs: op.invokeMs, returnMs: op.completeMs ?? Number.POSITIVE_INFINITY }))
    .sort((a, b) => a.invokeMs - b.invokeMs);
  const n = calls.length;
  const knownTotal = calls.filter((c) => c.returnMs !== Number.POSITIVE_INFINITY).length;
  const done = new Uint8Array(n);
  const words = new Uint32Array(Math.ceil(n / 32));
  let knownDone = 0;
  const seen = new Set<string>();
  const path: number[] = [];
  let best: number[] = [];
  let steps = 0;

  const candidatesNow = (): number[] => {
    let earliestReturn = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++)
      if (done[i] === 0 && calls[i]!.returnMs < earliestReturn) earliestReturn = calls[i]!.returnMs;
    const out: number[] = [];
    // Calls are sorted by invocation, so the scan stops at the first one invoked after the bound.
    for (let i = 0; i < n && calls[i]!.invokeMs <= earliestReturn; i++) if (done[i] === 0) out.push(i);
    return out;
  };
  const mark = (i: number, on: boolean): void => {
    done[i] = on ? 1 : 0;
    words[i >>> 5] = words[i >>> 5]! ^ (1 << (i & 31));
    if (calls[i]!.returnMs !== Number.POSITIVE_INFINITY) knownDone += on ? 1 : -1;
  };
  const result = (verdict: Verdict, explanation?: Explanation): KeyResult => ({
    key,
    verdict,
    linearizable: verdict === 'linearizable',
    operations: n,
    steps,
    ...(explanation ? { explanation } : {}),
  });

  if (knownTotal === 0) return result('linearizable');
  const frames: Frame[] = [{ state: initial, candidates: candidatesNow(), next: 0 }];
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    if (frame.next >= frame.candidates.length) {
      frames.pop();
      const undo = path.pop();
      if (undo !== undefined) mark(undo, false);
      continue;
    }
    const i = frame.candidates[frame.next++]!;
    if (++steps > stepsMax) return result('unknown');
    const moved = step(frame.state, calls[i]!.op);
    if (moved === undefined) continue;
    mark(i, true);
    const memo = `${words.join(',')}|${typeof moved.next}:${String(moved.next)}`;
    if (seen.has(memo)) {
      mark(i, false);
      continue;
    }
    seen.add(memo);
    path.push(i);
    if (knownDone === knownTotal) return result('linearizable');
    if (path.length > best.length) best = path.slice();
    frames.push({ state: moved.next, candidates: candidatesNow(), next: 0 });
  }
  return result('not-linearizable', explain(calls, best, initial));
}

function explain(calls: readonly Call[], prefix: readonly number[], initial: Value | null): Explanation {
  let state = initial;
  const placed = new Set(prefix);
  for (const i of prefix) state = step(state, calls[i]!.op)!.next;
  let blocked: Call | undefined;
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    if (placed.has(i) || c.returnMs === Number.POSITIVE_INFINITY) continue;
    if (blocked === undefined || c.returnMs < blocked.returnMs) blocked = c;
  }
  // The search only fails while some completed call is unplaced, so `blocked` exists.
  return { prefix: prefix.map((i) => calls[i]!.op), state, blocked: blocked!.op };
}

/** Checks a whole history, key by key (a register per key makes keys independent). */
export function checkHistory(operations: readonly Operation[], options: CheckOptions = {}): CheckResult {
  const byKey = new Map<string, Operation[]>();
  for (const op of operations) {
    const list = byKey.get(op.key);
    if (list) list.push(op);
    else byKey.set(op.key, [op]);
  }
  const keys = [...byKey.keys()].sort().map((key) => checkKey(key, byKey.get(key)!, options));
  const verdict: Verdict = keys.some((k) => k.verdict === 'not-linearizable')
    ? 'not-linearizable'
    : keys.some((k) => k.verdict === 'unknown')
      ? 'unknown'
      : 'linearizable';
  return { verdict, keys };
}
