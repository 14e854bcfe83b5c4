/**
 * Defaults and limits of the runtime. The core's own defaults live in `core/raft.ts`.
 */

/** Length of one core tick. With 10 election ticks this gives a 500-1000 ms election timeout. */
export const defaultTickMs = 50;

/** Snapshot and compact the log after this many applied entries. */
export const defaultSnapshotEveryEntries = 10_000;

/** Requests (proposals, reads, membership changes) that may wait at once before `Throttled`. */
export const defaultMaxPendingRequests = 16_384;

/** How long a read index or a leadership transfer may take before failing with `Timeout`. */
export const defaultRequestTimeoutMs = 10_000;

/** Inbound messages held between two Ready cycles; beyond this, messages are dropped (Raft retries). */
export const inboxMessagesMax = 65_536;
