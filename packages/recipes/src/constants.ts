/**
 * Named limits and defaults of the recipes. Every retry loop and every wait has a maximum here.
 */

/** Attempts of one ZooKeeper-style operation that failed with a retryable code (ConnectionLoss, Timeout, NotLeader, Throttled). */
export const retryAttemptsMax = 29;

/** First pause before retrying an operation (Curator's ExponentialBackoffRetry base). */
export const retryBaseDelayMs = 25;

/** Longest pause between two retries. */
export const retryDelayMsMax = 1_000;

/** Attempts to create a lock node again after it vanished (its session ended) during one acquisition. */
export const lockNodeRecreationsMax = 8;

/** Optimistic attempts of a DistributedAtomicLong update before it reports `succeeded: false`. */
export const atomicAttemptsMax = 64;

/** Longest wait of a background cleanup (deleting a revoked lock node) before it tries again. */
export const cleanupRetryDelayMsMax = 2_000;

/** Prefix of a protected node name (Curator's `_c_`), followed by a random id and `-`. */
export const protectedPrefix = '_c_';

/** How long a ServiceProvider excludes an instance noted as down (Curator's default 30 s). */
export const downInstanceTimeoutMsDefault = 30_000;

/** Errors noted against an instance before the provider excludes it (Curator's default 2). */
export const downInstanceErrorThresholdDefault = 2;

/** Deepest tree a TreeCache follows by default. */
export const treeCacheDepthMaxDefault = 64;

// Start-up assertions.
if (retryBaseDelayMs > retryDelayMsMax) throw new Error('retryBaseDelayMs must not exceed retryDelayMsMax');
