/**
 * The bytes a `RaftNode` stores in `Snapshot.data`: the members' peer addresses followed by the
 * user state machine's own snapshot.
 *
 * Addresses are learned from committed configuration entries; once those entries are compacted
 * away, a member restoring from a snapshot would no longer know where its peers are, so the
 * runtime carries them inside the snapshot.
 *
 * Layout: `version:u8 | count:u32 | count × (idLength:u16 | id | urlLength:u16 | url) | appData`.
 */
import type { NodeId } from '../core/types';
import type { SnapshotData } from './interfaces';

const envelopeVersion = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** A snapshot split into the runtime's part and the application's part. */
export interface SnapshotEnvelope {
  readonly addresses: ReadonlyMap<NodeId, string>;
  readonly appData: Uint8Array;
}

/**
 * Bytes of application data copied per event-loop turn, so a large state is copied without a
 * long stall. Copies into newly allocated memory are slow in a busy member: 8 MiB took 3-43 ms
 * there (against 3 ms in a quiet process) and held up every write passing through it.
 */
const COPY_SLICE_BYTES = 1024 * 1024;

/**
 * The envelope's bytes as chunks in order, without copying the application's: the addresses,
 * then its chunks as they are.
 */
export function snapshotEnvelopeChunks(addresses: ReadonlyMap<NodeId, string>, appData: SnapshotData): Uint8Array[] {
  const pairs: [Uint8Array, Uint8Array][] = [];
  let size = 1 + 4;
  for (const [id, url] of addresses) {
    const idBytes = encoder.encode(id);
    const urlBytes = encoder.encode(url);
    if (idBytes.length > 0xffff || urlBytes.length > 0xffff) {
      throw new RangeError(`peer id or address too long: ${id}`);
    }
    pairs.push([idBytes, urlBytes]);
    size += 2 + idBytes.length + 2 + urlBytes.length;
  }
  const head = new Uint8Array(size);
  const view = new DataView(head.buffer);
  head[0] = envelopeVersion;
  view.setUint32(1, pairs.length);
  let offset = 5;
  for (const [idBytes, urlBytes] of pairs) {
    view.setUint16(offset, idBytes.length);
    head.set(idBytes, offset + 2);
    offset += 2 + idBytes.length;
    view.setUint16(offset, urlBytes.length);
    head.set(urlBytes, offset + 2);
    offset += 2 + urlBytes.length;
  }
  return [head, ...(appData instanceof Uint8Array ? [appData] : appData)];
}

/**
 * The envelope's bytes in one buffer (for a storage that takes no chunks), copied
 * {@link COPY_SLICE_BYTES} per event-loop turn.
 */
export async function encodeSnapshotEnvelope(
  addresses: ReadonlyMap<NodeId, string>,
  appData: SnapshotData,
): Promise<Uint8Array> {
  const chunks = snapshotEnvelopeChunks(addresses, appData);
  let size = 0;
  for (const chunk of chunks) size += chunk.length;
  const out = new Uint8Array(size);
  let offset = 0;
  let copiedThisTurn = 0;
  for (const chunk of chunks) {
    for (let from = 0; from < chunk.length; ) {
      if (copiedThisTurn >= COPY_SLICE_BYTES) {
        await new Promise((resolve) => setImmediate(resolve));
        copiedThisTurn = 0;
      }
      const length = Math.min(chunk.length - from, COPY_SLICE_BYTES - copiedThisTurn);
      out.set(chunk.subarray(from, from + length), offset);
      offset += length;
      from += length;
      copiedThisTurn += length;
    }
  }
  return out;
}

/** Splits a snapshot written by {@link encodeSnapshotEnvelope}. Throws on malformed bytes. */
export function decodeSnapshotEnvelope(data: Uint8Array): SnapshotEnvelope {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const need = (offset: number, length: number): void => {
    if (offset + length > data.length) {
      throw new RangeError(`snapshot envelope truncated at byte ${offset}`);
    }
  };
  need(0, 5);
  if (data[0] !== envelopeVersion) {
    throw new RangeError(`unknown snapshot envelope version ${data[0]}`);
  }
  const count = view.getUint32(1);
  const addresses = new Map<NodeId, string>();
  let offset = 5;
  for (let i = 0; i < count; i++) {
    need(offset, 2);
    const idLength = view.getUint16(offset);
    need(offset + 2, idLength + 2);
    const id = decoder.decode(data.subarray(offset + 2, offset + 2 + idLength));
    offset += 2 + idLength;
    const urlLength = view.getUint16(offset);
    need(offset + 2, urlLength);
    const url = decoder.decode(data.subarray(offset + 2, offset + 2 + urlLength));
    offset += 2 + urlLength;
    addresses.set(id, url);
  }
  return { addresses, appData: data.subarray(offset) };
}
