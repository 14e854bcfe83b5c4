/**
 * A shared integer with versioned compare-and-set (Curator's SharedCount). The value is a 4-byte
 * big-endian signed integer, as Curator stores it.
 */
import type { KeelClient } from '@keel/client';
import { isKeelError, validatePath } from '@keel/protocol';
import { EventEmitter } from 'eventemitter3';
import { NodeCache } from '../cache/node-cache';
import { RecipeError } from '../errors';
import { getNode, setNode } from '../internal/client-ops';
import { createWithParents } from '../internal/nodes';
import { retrying } from '../internal/retry';

/** A value with the node version it was read at (Curator's VersionedValue). */
export interface VersionedValue<T> {
  readonly version: number;
  readonly value: T;
}

/** Events of a {@link SharedCount}. */
export interface SharedCountEvents {
  /** The count changed (Curator's SharedCountListener.countHasChanged). */
  countChanged: [value: number];
  error: [error: unknown];
}

/** Encodes a count as Curator does (4 bytes, big-endian, signed). */
export function encodeCount(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31)
    throw new RangeError(`a shared count is a 32-bit integer, got ${value}`);
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, value);
  return bytes;
}

/** Decodes a count; throws `BadData` unless it is 4 bytes. */
export function decodeCount(bytes: Uint8Array, path?: string): number {
  if (bytes.length !== 4)
    throw new RecipeError(
      'BadData',
      `a shared count is 4 bytes, found ${bytes.length}`,
      path === undefined ? {} : { path },
    );
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0);
}

/**
 * ```ts
 * const count = new SharedCount(client, '/counters/epoch', 0);
 * await count.start();
 * const seen = count.getVersionedValue();
 * if (await count.trySetCount(seen, seen.value + 1)) console.log('won');
 * ```
 */
export class SharedCount extends EventEmitter<SharedCountEvents> {
  private readonly cache: NodeCache;
  private started = false;

  constructor(
    private readonly client: KeelClient,
    readonly path: string,
    private readonly seedValue: number,
  ) {
    super();
    const check = validatePath(path);
    if (!check.ok) throw check.error;
    encodeCount(seedValue);
    this.cache = new NodeCache(client, path);
    this.cache.on('nodeChanged', (node) => {
      // The first read is the starting value, not a change (Curator's countHasChanged).
      if (node === null || !this.started) return;
      try {
        this.emit('countChanged', decodeCount(node.data, path));
      } catch (error) {
        this.emit('error', error);
      }
    });
    this.cache.on('error', (error) => this.emit('error', error));
  }

  /** Creates the node with the seed value if it is missing, and starts following it. */
  async start(): Promise<void> {
    try {
      await retrying(this.client, () =>
        createWithParents(this.client, this.path, encodeCount(this.seedValue), 'persistent'),
      );
    } catch (error) {
      if (!isKeelError(error, 'NodeExists')) throw error;
    }
    await this.cache.start();
    this.started = true;
  }

  /** The count as last seen. */
  getCount(): number {
    return this.getVersionedValue().value;
  }

  /** The count and the version it was read at, for `trySetCount`. */
  getVersionedValue(): VersionedValue<number> {
    const node = this.cache.getCurrentData();
    if (node === null)
      throw new RecipeError('IllegalState', 'the shared count is not loaded (start it first)', { path: this.path });
    return { version: node.stat.version, value: decodeCount(node.data, this.path) };
  }

  /** Reads the count from the service now (not the cache). */
  async readVersionedValue(): Promise<VersionedValue<number>> {
    const { data, stat } = await retrying(this.client, () => getNode(this.client, this.path));
    return { version: stat.version, value: decodeCount(data, this.path) };
  }

  /** Sets the count unconditionally. */
  async setCount(value: number): Promise<void> {
    await retrying(this.client, () => setNode(this.client, this.path, encodeCount(value)));
  }

  /** Sets the count only if it is still at `previous.version`; resolves whether it did. */
  async trySetCount(previous: VersionedValue<number>, value: number): Promise<boolean> {
    try {
      await retrying(this.client, () => setNode(this.client, this.path, encodeCount(value), previous.version));
      return true;
    } catch (error) {
      if (isKeelError(error, 'BadVersion') || isKeelError(error, 'NoNode')) return false;
      throw error;
    }
  }

  close(): Promise<void> {
    return this.cache.close();
  }
}
