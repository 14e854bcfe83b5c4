/**
 * Measures what the disk under `dir` can do for a write-ahead log: records per second when
 * `batch` records share one `datasync`, and datasyncs per second. The benchmark uses it to
 * put Raft throughput next to the raw group-commit ceiling of the same disk.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { StorageMisuseError } from './errors';

/** Shape of a probe run. */
export interface FsyncProbeOptions {
  /** Records to write in total. */
  readonly records: number;
  /** Records written by one `write` call and made durable by one `datasync`. */
  readonly batch: number;
  /** Bytes per record. */
  readonly bytes: number;
}

/** What the probe measured. */
export interface FsyncProbeResult {
  readonly records: number;
  readonly fsyncs: number;
  readonly elapsedMs: number;
  readonly recordsPerSecond: number;
  readonly fsyncsPerSecond: number;
}

/** Probe ceiling: keeps an accidental huge run from filling the disk. */
export const FSYNC_PROBE_BYTES_MAX = 1024 * 1024 * 1024;

/** Appends `records` records in batches to a scratch file in `dir` (deleted afterwards). */
export async function measureFsyncRate(dir: string, options: FsyncProbeOptions): Promise<FsyncProbeResult> {
  const { records, batch, bytes } = options;
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new StorageMisuseError(`probe option ${name} must be >= 1`);
  }
  if (records * bytes > FSYNC_PROBE_BYTES_MAX) {
    throw new StorageMisuseError(`probe would write more than ${FSYNC_PROBE_BYTES_MAX} bytes`);
  }
  const scratch = await mkdtemp(join(dir, 'fsync-probe-'));
  const buffer = Buffer.alloc(Math.min(batch, records) * bytes, 0x6b);
  const handle = await open(join(scratch, 'probe.log'), 'w');
  let fsyncs = 0;
  let position = 0;
  const started = performance.now();
  try {
    for (let done = 0; done < records; ) {
      const count = Math.min(batch, records - done);
      const length = count * bytes;
      let written = 0;
      while (written < length) {
        const result = await handle.write(buffer, written, length - written, position + written);
        written += result.bytesWritten;
      }
      await handle.datasync();
      fsyncs += 1;
      position += length;
      done += count;
    }
  } finally {
    await handle.close();
    await rm(scratch, { recursive: true, force: true });
  }
  const elapsedMs = performance.now() - started;
  const seconds = Math.max(elapsedMs, 0.001) / 1000;
  return { records, fsyncs, elapsedMs, recordsPerSecond: records / seconds, fsyncsPerSecond: fsyncs / seconds };
}
