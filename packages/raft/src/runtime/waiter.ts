/**
 * A promise whose settlement is driven from outside, with optional `AbortSignal` and timeout.
 * Every caller request of a `RaftNode` (proposal, read, membership change) is one of these.
 */
import { AbortedError, TimeoutError } from './errors';

/** The settling half of a request's promise. Settling twice is a no-op. */
export interface Waiter<T> {
  readonly settled: boolean;
  resolve(value: T): void;
  reject(error: Error): void;
}

/** Options for {@link createWaiter}. */
export interface WaiterOptions {
  readonly signal?: AbortSignal | undefined;
  /** Rejects with `TimeoutError` after this long; `what` names the request in the message. */
  readonly timeout?: { readonly ms: number; readonly what: string } | undefined;
  /** Called exactly once when the waiter settles, however it settles. */
  readonly onSettle?: (() => void) | undefined;
}

/** Creates a request promise and its settling half. */
export function createWaiter<T>(options: WaiterOptions = {}): { promise: Promise<T>; waiter: Waiter<T> } {
  let settle!: { resolve: (value: T) => void; reject: (error: Error) => void };
  const promise = new Promise<T>((resolve, reject) => {
    settle = { resolve, reject };
  });
  let settled = false;
  let timer: NodeJS.Timeout | undefined;
  const { signal, timeout, onSettle } = options;
  const finish = (): boolean => {
    if (settled) return false;
    settled = true;
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    onSettle?.();
    return true;
  };
  const waiter: Waiter<T> = {
    get settled() {
      return settled;
    },
    resolve(value) {
      if (finish()) settle.resolve(value);
    },
    reject(error) {
      if (finish()) settle.reject(error);
    },
  };
  function onAbort(): void {
    waiter.reject(new AbortedError(signal?.reason));
  }
  if (signal !== undefined) {
    if (signal.aborted) {
      onAbort();
    } else {
      signal.addEventListener('abort', onAbort, { once: true });
    }
  }
  if (timeout !== undefined && !settled) {
    timer = setTimeout(() => waiter.reject(new TimeoutError(timeout.what, timeout.ms)), timeout.ms);
  }
  return { promise, waiter };
}
