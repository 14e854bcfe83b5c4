/**
 * Abortable waits and deadlines, the only timers the recipes use.
 */
import { AbortedError } from '@keel/protocol';

/** Throws the protocol's `AbortedError` if the signal fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortError(signal);
}

/** The error an aborted wait rejects with: the signal's own reason when it is an Error. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new AbortedError();
}

/** Waits `ms`, or rejects when `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A signal that fires when any of `signals` fires (undefined entries are skipped). */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  // AbortSignal.any costs a new signal and weak-reference bookkeeping; every lock acquisition
  // without a caller's signal would pay it for nothing.
  if (present.length === 1 && present[0] !== undefined) return present[0];
  return AbortSignal.any(present);
}

/**
 * A deadline: `timeoutMs` from now, or none. `signal` fires when it passes; `dispose()` clears
 * the timer once the wait is over so it cannot keep the process alive.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout> | undefined;

  constructor(timeoutMs: number | undefined) {
    if (timeoutMs !== undefined) {
      if (!(timeoutMs >= 0)) throw new RangeError(`timeoutMs must be >= 0, got ${timeoutMs}`);
      this.timer = setTimeout(() => this.controller.abort(new DeadlineExpired()), timeoutMs);
    }
  }

  /** Fires when the deadline passes. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether the deadline passed. */
  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}

/** The reason of a deadline's signal: lets a wait tell a timeout from a caller's abort. */
export class DeadlineExpired extends Error {
  override name = 'DeadlineExpired';
  constructor() {
    super('the deadline passed');
  }
}

/** Whether an error is a passed deadline. */
export function isDeadlineExpired(error: unknown): error is DeadlineExpired {
  return error instanceof DeadlineExpired;
}

/**
 * Resolves with `promise`, or rejects when `signal` fires. The promise keeps running; the caller
 * owns whatever it started.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
