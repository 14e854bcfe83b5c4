/**
 * A promise whose settlement is driven from outside, with optional `AbortSignal` and timeout.
 * Every caller request of a `RaftNode` (proposal, read, membership change) is one of these, so
 * it is a class: thousands are created per second and closures per request showed in profiles.
 */
import { AbortedError, TimeoutError } from './errors';

/** The settling half of a request's promise. Settling twice is a no-op. */
export interface Waiter<T> {
  readonly settled: boolean;
  resolve(value: T): void;
  reject(error: Error): void;
  /** Starts a timeout (rejecting with `TimeoutError`) unless one runs or the waiter settled. */
  armTimeout(ms: number, what: string): void;
}

/** Options for {@link createWaiter}. */
export interface WaiterOptions {
  readonly signal?: AbortSignal | undefined;
  /** Rejects with `TimeoutError` after this long; `what` names the request in the message. */
  readonly timeout?: { readonly ms: number; readonly what: string } | undefined;
  /** Called exactly once when the waiter settles, however it settles. */
  readonly onSettle?: (() => void) | undefined;
}

class RequestWaiter<T> implements Waiter<T> {
  settled = false;
  readonly promise: Promise<T>;
  private settleResolve!: (value: T) => void;
  private settleReject!: (error: Error) => void;
  private timer: NodeJS.Timeout | undefined;
  private abortListener: (() => void) | undefined;

  constructor(
    private readonly signal: AbortSignal | undefined,
    private readonly onSettle: (() => void) | undefined,
  ) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.settleResolve = resolve;
      this.settleReject = reject;
    });
  }

  resolve(value: T): void {
    if (this.finish()) this.settleResolve(value);
  }

  reject(error: Error): void {
    if (this.finish()) this.settleReject(error);
  }

  armTimeout(ms: number, what: string): void {
    if (this.settled || this.timer !== undefined) return;
    this.timer = setTimeout(() => this.reject(new TimeoutError(what, ms)), ms);
  }

  watch(options: WaiterOptions): void {
    const { signal, timeout } = options;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.reject(new AbortedError(signal.reason));
        return;
      }
      this.abortListener = () => this.reject(new AbortedError(signal.reason));
      signal.addEventListener('abort', this.abortListener, { once: true });
    }
    if (timeout !== undefined) this.armTimeout(timeout.ms, timeout.what);
  }

  private finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.abortListener !== undefined) this.signal?.removeEventListener('abort', this.abortListener);
    this.onSettle?.();
    return true;
  }
}

/** Creates a request promise and its settling half. */
export function createWaiter<T>(options: WaiterOptions = {}): { promise: Promise<T>; waiter: Waiter<T> } {
  const waiter = new RequestWaiter<T>(options.signal, options.onSettle);
  if (options.signal !== undefined || options.timeout !== undefined) waiter.watch(options);
  return { promise: waiter.promise, waiter };
}
