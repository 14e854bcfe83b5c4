/**
 * Retrying an operation across a dropped connection (Curator's RetryLoop with exponential
 * backoff). Only codes after which the same request keeps its meaning are retried; callers
 * retry only idempotent or conditional operations.
 */
import type { KeelClient } from '@keel/client';
import { isKeelError, retryableCodes } from '@keel/protocol';
import { ConnectionTracker } from '../connection/connection-tracker';
import { retryAttemptsMax, retryBaseDelayMs, retryDelayMsMax } from '../constants';
import { sleep, throwIfAborted } from './abort';

/** Whether an error is one the same request may be retried after. */
export function isRetryable(error: unknown): boolean {
  return isKeelError(error) && retryableCodes.has(error.code);
}

/**
 * Runs `operation` until it succeeds, retrying retryable errors with exponential backoff and
 * jitter, waiting for the connection while the client is suspended. Other errors propagate.
 */
export async function retrying<T>(client: KeelClient, operation: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const tracker = ConnectionTracker.of(client);
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(signal);
    try {
      return await operation();
    } catch (error) {
      if (!isRetryable(error) || attempt >= retryAttemptsMax) throw error;
      await sleep(backoffMs(attempt), signal);
      if (!tracker.isConnected) await tracker.waitConnected(signal);
    }
  }
}

/** The pause before retry number `attempt` (0-based): doubling, capped, with full jitter on the upper half. */
export function backoffMs(attempt: number): number {
  const ceiling = Math.min(retryDelayMsMax, retryBaseDelayMs * 2 ** Math.min(attempt, 16));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
