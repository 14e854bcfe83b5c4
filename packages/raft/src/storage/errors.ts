/**
 * Typed errors of the durable log. Every class has a stable `name` and `code` so that callers
 * (and operators reading logs) can tell a damaged disk from a programming mistake.
 */

/** Stable codes of {@link StorageError} subclasses. */
export type StorageErrorCode =
  | 'STORAGE_CORRUPT'
  | 'STORAGE_RECORD_TOO_LARGE'
  | 'STORAGE_CLOSED'
  | 'STORAGE_FAILED'
  | 'STORAGE_MISUSE'
  | 'STORAGE_LOCKED';

/** Base class of every error thrown by `storage/`. */
export class StorageError extends Error {
  readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
    this.code = code;
  }
}

/**
 * Data on disk failed validation somewhere a crash cannot explain (not the torn tail of the
 * last segment). The member must not start: it could otherwise lose or invent log entries.
 */
export class StorageCorruptionError extends StorageError {
  /** Absolute path of the damaged file. */
  readonly file: string;
  /** Byte offset in `file` where the damage starts. */
  readonly offset: number;

  constructor(file: string, offset: number, reason: string) {
    super('STORAGE_CORRUPT', `storage corrupt in ${file} at offset ${offset}: ${reason}`);
    this.name = 'StorageCorruptionError';
    this.file = file;
    this.offset = offset;
  }
}

/** An entry is larger than the configured record limit; nothing was buffered. */
export class RecordTooLargeError extends StorageError {
  readonly bytes: number;
  readonly limit: number;

  constructor(bytes: number, limit: number) {
    super('STORAGE_RECORD_TOO_LARGE', `log record of ${bytes} bytes exceeds the limit of ${limit} bytes`);
    this.name = 'RecordTooLargeError';
    this.bytes = bytes;
    this.limit = limit;
  }
}

/** The storage was closed; no further reads or writes are accepted. */
export class StorageClosedError extends StorageError {
  constructor() {
    super('STORAGE_CLOSED', 'storage is closed');
    this.name = 'StorageClosedError';
  }
}

/**
 * An earlier write, truncate or fsync failed. After a failed fsync the kernel may have
 * dropped the dirty pages, so retrying could report success for lost data: the storage
 * refuses all further writes and the member must restart (and recover from disk).
 */
export class StorageFailedError extends StorageError {
  constructor(cause: unknown) {
    super('STORAGE_FAILED', `storage failed and refuses further writes: ${describe(cause)}`, { cause });
    this.name = 'StorageFailedError';
  }
}

/** The caller broke the storage contract (a programming error, not a disk problem). */
export class StorageMisuseError extends StorageError {
  constructor(message: string) {
    super('STORAGE_MISUSE', message);
    this.name = 'StorageMisuseError';
  }
}

/** True for any error thrown by `storage/`. */
export function isStorageError(error: unknown): error is StorageError {
  return error instanceof StorageError;
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** Another live process has the data directory open (its `LOCK` file names it). */
export class StorageLockedError extends StorageError {
  /** The data directory. */
  readonly dir: string;
  /** Process id of the holder, when the lock file names one. */
  readonly pid: number | null;

  constructor(dir: string, pid: number | null) {
    super(
      'STORAGE_LOCKED',
      `data directory ${dir} is in use by ${pid === null ? 'another process' : `process ${pid}`}: stop it, or give this member another data directory`,
    );
    this.name = 'StorageLockedError';
    this.dir = dir;
    this.pid = pid;
  }
}
