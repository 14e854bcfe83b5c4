/**
 * Named limits of the durable log. Options may lower or raise the defaults within the
 * hard ceilings, which exist because of the on-disk format (u32 lengths) and Node buffers.
 */

/** Default size at which the active segment is closed and a new one started. */
export const SEGMENT_BYTES_DEFAULT = 64 * 1024 * 1024;
/** Smallest allowed segment size (tests use tiny segments to exercise rolling). */
export const SEGMENT_BYTES_MIN = 64;
/** Largest allowed segment size; a segment is read into one buffer on recovery. */
export const SEGMENT_BYTES_CEILING = 1024 * 1024 * 1024;

/**
 * Zeros written ahead of the records at a time (see `durable-log.ts`): about 1 ms of writing
 * here once per MiB of log, against 100-200 µs saved on every flush.
 */
export const PREALLOCATE_BYTES = 1024 * 1024;

/** Default largest payload of one log record (one entry's data). */
export const RECORD_BYTES_DEFAULT_MAX = 16 * 1024 * 1024;
/** Largest payload the format can hold: lengths are u32 and must fit one Node buffer. */
export const RECORD_BYTES_CEILING = 1024 * 1024 * 1024 - 64;

/** Snapshots kept on disk: the newest, plus one in case the newest is being replaced. */
export const SNAPSHOTS_RETAINED_DEFAULT = 2;
/** Largest encoded snapshot metadata (membership as JSON). */
export const SNAPSHOT_META_BYTES_MAX = 1024 * 1024;
/** Largest member id stored as the vote in the hard state. */
export const VOTE_BYTES_MAX = 1024;

/**
 * A hard state that only moves `commit` forward is written at most once per this many
 * flushes (and always on close or with a term/vote change). Raft treats the commit index as
 * volatile, so a stale one after a crash is safe; writing it eagerly would cost two extra
 * fsyncs (file and directory) on nearly every flush.
 */
export const COMMIT_PERSIST_INTERVAL_FLUSHES_DEFAULT = 64;
