/**
 * A 64-bit counter updated by optimistic compare-and-set (Curator's DistributedAtomicLong).
 * Values are `bigint`s stored as 8 bytes big-endian; a missing node reads as 0.
 */
import type { KeelClient } from '@keel/client';
import { isKeelError, validatePath } from '@keel/protocol';
import { atomicAttemptsMax } from '../constants';
import { RecipeError } from '../errors';
import { sleep } from '../internal/abort';
import { getNode, setNode } from '../internal/client-ops';
import { createWithParents } from '../internal/nodes';
import { backoffMs, retrying } from '../internal/retry';

/** The outcome of an update (Curator's AtomicValue). */
export interface AtomicValue {
  /** Whether the update was applied (false after too many lost races, or a failed compare). */
  readonly succeeded: boolean;
  readonly preValue: bigint;
  readonly postValue: bigint;
}

/** Options of a {@link DistributedAtomicLong}. */
export interface DistributedAtomicLongOptions {
  /** Optimistic attempts before an update reports `succeeded: false` (default 64). */
  readonly attempts?: number;
}

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

function encodeLong(value: bigint): Uint8Array {
  if (value < int64Min || value > int64Max) throw new RangeError(`${value} does not fit in 64 bits`);
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, value);
  return bytes;
}

function decodeLong(bytes: Uint8Array, path: string): bigint {
  if (bytes.length === 0) return 0n;
  if (bytes.length !== 8)
    throw new RecipeError('BadData', `an atomic long is 8 bytes, found ${bytes.length}`, { path });
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0);
}

/**
 * ```ts
 * const sequence = new DistributedAtomicLong(client, '/counters/orders');
 * const { succeeded, postValue } = await sequence.increment();
 * ```
 */
export class DistributedAtomicLong {
  private readonly attempts: number;

  constructor(
    private readonly client: KeelClient,
    readonly path: string,
    options: DistributedAtomicLongOptions = {},
  ) {
    const check = validatePath(path);
    if (!check.ok) throw check.error;
    this.attempts = options.attempts ?? atomicAttemptsMax;
  }

  /** The current value (0 when the node does not exist). */
  async get(): Promise<AtomicValue> {
    const { value } = await this.read();
    return { succeeded: true, preValue: value, postValue: value };
  }

  increment(): Promise<AtomicValue> {
    return this.add(1n);
  }

  decrement(): Promise<AtomicValue> {
    return this.add(-1n);
  }

  add(delta: bigint): Promise<AtomicValue> {
    return this.update((value) => value + delta);
  }

  subtract(delta: bigint): Promise<AtomicValue> {
    return this.update((value) => value - delta);
  }

  /** Sets `newValue` only if the value is `expected`. */
  compareAndSet(expected: bigint, newValue: bigint): Promise<AtomicValue> {
    return this.update((value) => (value === expected ? newValue : null));
  }

  /** Sets the value, optimistically (may report `succeeded: false` under heavy contention). */
  trySet(newValue: bigint): Promise<AtomicValue> {
    return this.update(() => newValue);
  }

  /** Sets the value without comparing. */
  async forceSet(newValue: bigint): Promise<void> {
    try {
      await retrying(this.client, () => setNode(this.client, this.path, encodeLong(newValue)));
    } catch (error) {
      if (!isKeelError(error, 'NoNode')) throw error;
      await this.update(() => newValue);
    }
  }

  /** Creates the node with `value` if it does not exist; resolves whether it did. */
  async initialize(value: bigint): Promise<boolean> {
    try {
      await retrying(this.client, () => createWithParents(this.client, this.path, encodeLong(value), 'persistent'));
      return true;
    } catch (error) {
      if (isKeelError(error, 'NodeExists')) return false;
      throw error;
    }
  }

  /** Applies `change` by compare-and-set until it sticks; `null` from `change` means "do not set". */
  private async update(change: (value: bigint) => bigint | null): Promise<AtomicValue> {
    let last: bigint = 0n;
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      const { value, version } = await this.read();
      last = value;
      const next = change(value);
      if (next === null) return { succeeded: false, preValue: value, postValue: value };
      try {
        if (version === null) {
          await createWithParents(this.client, this.path, encodeLong(next), 'persistent');
        } else {
          await setNode(this.client, this.path, encodeLong(next), version);
        }
        return { succeeded: true, preValue: value, postValue: next };
      } catch (error) {
        // A lost race: someone else changed (or created) it first; read again. A lost answer
        // (ConnectionLoss, Timeout) propagates: the write may have applied, and retrying it would
        // apply the change twice.
        const raced =
          isKeelError(error, 'BadVersion') || isKeelError(error, 'NodeExists') || isKeelError(error, 'NoNode');
        if (!raced) throw error;
        await sleep(backoffMs(Math.min(attempt, 4)));
      }
    }
    return { succeeded: false, preValue: last, postValue: last };
  }

  private async read(): Promise<{ value: bigint; version: number | null }> {
    try {
      const { data, stat } = await retrying(this.client, () => getNode(this.client, this.path));
      return { value: decodeLong(data, this.path), version: stat.version };
    } catch (error) {
      if (isKeelError(error, 'NoNode')) return { value: 0n, version: null };
      throw error;
    }
  }
}
