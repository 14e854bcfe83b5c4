/**
 * Counts of the expensive disk calls the durable log makes. Tests read them to prove group
 * commit works (calls counted, never timed); the benchmark reports them.
 */
export interface DiskStats {
  /** Group-commit flushes that wrote something. */
  flushes: number;
  /** Flushes whose record writes started beside a running flush instead of after it. */
  overlappedFlushes: number;
  /** `write` calls on segment files. */
  segmentWrites: number;
  /** `datasync` calls and syncing (O_DSYNC) writes on segment files. */
  segmentDatasyncs: number;
  /** `fsync` calls on hard state and snapshot files. */
  fileFsyncs: number;
  /** `fsync` calls on directories (after create, rename, unlink). */
  directoryFsyncs: number;
  /** Writes of zeros ahead of the records (segment preallocation). */
  preallocations: number;
  /** Log records written (entries, counting rewrites after a conflict). */
  recordsWritten: number;
  /** Bytes written to segment files. */
  bytesWritten: number;
}

export function emptyDiskStats(): DiskStats {
  return {
    flushes: 0,
    overlappedFlushes: 0,
    segmentWrites: 0,
    segmentDatasyncs: 0,
    fileFsyncs: 0,
    directoryFsyncs: 0,
    preallocations: 0,
    recordsWritten: 0,
    bytesWritten: 0,
  };
}
