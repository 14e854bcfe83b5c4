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

/**
 * A state no remaining read or cas mentions. Every such state behaves alike from here on (only
 * writes can follow), so the memo treats them as one: this collapses the orders of concurrent
 * writes whose values nobody reads any more.
 */
const blindState: unique symbol = Symbol('blind');
type SearchState = Value | null | typeof blindState;

/** The register-with-CAS model: returns the next state, or `undefined` if `op` cannot happen in `state`. */
function step<S extends SearchState>(state: S, op: Operation): { next: S | Value } | undefined {
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

/** The linearized set as a compact string: two UTF-16 units per 32-bit word. */
function memoOf(words: Uint32Array): string {
  let out = '';
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    out += String.fromCharCode(word & 0xffff, word >>> 16);
  }
  return out;
}

const valueKey = (value: Value): string => `${typeof value}:${String(value)}`;
const stateKey = (state: Value | null): string => (state === null ? 'null' : valueKey(state));

/** The state a read or cas depends on (as a {@link stateKey}); null for a write. */
function mentionOf(op: Operation): string | null {
  if (op.type === 'read') return stateKey(op.value);
  if (op.type === 'cas') return stateKey(op.expected);
  return null;
}

/**
 * Turns operations into calls. When every write and cas of the key writes a distinct value
 * (distinct from the initial value too), as the chaos workloads make sure, an operation whose
 * outcome is unknown gets pinned down by what was observed:
 * - if no read returned its value and no cas expected it, it is dropped:
 *   any linearization that places it has only unconditional writes right after it (nothing else
 *   is legal in a state nobody observed), so removing it leaves a linearization;
 * - if a completed read or cas observed its value, it certainly took effect (no other
 *   operation writes that value), before the earliest completion of such an observer: it
 *   becomes a completed call that returns then;
 * - if only an unknown cas expects its value, it stays unknown (may happen any time, or never).
 * This removes the operations that stay pending forever, which is what makes long histories
 * with many timeouts intractable (Porcupine and Knossos face the same with "info" operations).
 */
function boundUnknowns(operations: readonly Operation[], initial: Value | null): Call[] {
  const written = new Set<string>();
  let unique = true;
  if (initial !== null) written.add(valueKey(initial));
  for (const op of operations) {
    if (op.type === 'read') continue;
    const key = valueKey(op.value);
    if (written.has(key)) unique = false;
    written.add(key);
  }
  // Values some operation depends on: read by a completed read, or expected by any cas.
  const mentioned = new Set<string>();
  // The earliest completion of a completed operation that observed each value.
  const observedBy = new Map<string, number>();
  const observe = (value: Value | null, atMs: number | null): void => {
    if (value === null) return;
    const key = valueKey(value);
    mentioned.add(key);
    if (atMs === null) return;
    const earliest = observedBy.get(key);
    if (earliest === undefined || atMs < earliest) observedBy.set(key, atMs);
  };
  for (const op of operations) {
    if (op.type === 'read') observe(op.value, op.completeMs);
    else if (op.type === 'cas') observe(op.expected, op.outcome === 'ok' ? op.completeMs : null);
  }
  const calls: Call[] = [];
  for (const op of operations) {
    if (op.completeMs !== null) {
      calls.push({ op, invokeMs: op.invokeMs, returnMs: op.completeMs });
      continue;
    }
    if (!unique || op.type === 'read') {
      calls.push({ op, invokeMs: op.invokeMs, returnMs: Number.POSITIVE_INFINITY });
      continue;
    }
    const key = valueKey(op.value);
    const observedMs = observedBy.get(key);
    if (observedMs !== undefined) {
      // An observer that completed before this operation was even invoked makes the history
      // fail; keep the bound there so the search reports it instead of hiding it.
      calls.push({ op, invokeMs: op.invokeMs, returnMs: Math.max(observedMs, op.invokeMs) });
    } else if (mentioned.has(key)) {
      // Only an unknown cas expects it: it may or may not have happened, at any time.
      calls.push({ op, invokeMs: op.invokeMs, returnMs: Number.POSITIVE_INFINITY });
    }
    // Otherwise nobody depends on it: it is optional (see above), so it is left out.
  }
  return calls;
}

interface Frame {
  state: SearchState;
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
  const calls: Call[] = boundUnknowns(operations.filter(relevant), initial).sort((a, b) => a.invokeMs - b.invokeMs);
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
  // A read that is legal now can always go now: it changes no state, and every call that
  // returned before it was invoked is already placed (it is a candidate). So when one exists it
  // is the only branch, which removes most of the search on read-heavy histories.
  const candidatesIn = (state: SearchState): number[] => {
    const all = candidatesNow();
    for (const i of all) {
      const op = calls[i]!.op;
      if (op.type === 'read' && op.value === state) return [i];
    }
    // Earliest deadline first: the call that must be placed soonest is the likeliest next.
    return all.sort((a, b) => calls[a]!.returnMs - calls[b]!.returnMs);
  };
  const pendingMentions = new Map<string, number>();
  for (const call of calls) {
    const mention = mentionOf(call.op);
    if (mention !== null) pendingMentions.set(mention, (pendingMentions.get(mention) ?? 0) + 1);
  }
  const canonical = (state: SearchState): SearchState => {
    if (state === blindState) return state;
    return (pendingMentions.get(stateKey(state)) ?? 0) === 0 ? blindState : state;
  };
  const mark = (i: number, on: boolean): void => {
    done[i] = on ? 1 : 0;
    const mention = mentionOf(calls[i]!.op);
    if (mention !== null) pendingMentions.set(mention, pendingMentions.get(mention)! + (on ? -1 : 1));
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
  const start = canonical(initial);
  const frames: Frame[] = [{ state: start, candidates: candidatesIn(start), next: 0 }];
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
    const call = calls[i]!;
    const moved = step(frame.state, call.op);
    if (moved === undefined) continue;
    mark(i, true);
    const next = canonical(moved.next);
    const memo = `${memoOf(words)}|${typeof next}:${String(next)}`;
    if (seen.has(memo)) {
      mark(i, false);
      continue;
    }
    seen.add(memo);
    path.push(i);
    if (knownDone === knownTotal) return result('linearizable');
    if (path.length > best.length) best = path.slice();
    frames.push({ state: next, candidates: candidatesIn(next), next: 0 });
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
