/**
 * Goal: a leader sends a follower that fell behind the snapshot's bytes from wherever the
 * driver says they are (`serveSnapshotFrom`), chunk by chunk; a chunk that cannot be read is
 * not sent and is asked for again later; bytes for another snapshot are refused.
 * Method: the in-memory harness; n3 is cut off while n1 and n2 compact, then n1 is given a
 * source that records its reads and fails the first ones.
 */
import { describe, expect, it } from 'vitest';
import type { Message, SnapshotBytes } from '../../src/core/types';
import { leaderCluster } from './harness';

const encoder = new TextEncoder();

function laggingBehindSnapshot() {
  const c = leaderCluster({ snapshotChunkBytes: 16 });
  c.partition([['n1', 'n2'], ['n3']]);
  for (let i = 0; i < 20; i++) c.node('n1').raft.propose(encoder.encode(`value ${i}`));
  c.stabilize(true);
  const applied = c.node('n1').appliedIndex;
  const snapshot = c.node('n1').compact(applied);
  c.node('n2').compact(applied);
  return { c, snapshot };
}

/** Serves `data`, recording each read; fails while `failing` is true. */
function recordingSource(data: Uint8Array) {
  const reads: number[] = [];
  const state = { failing: true };
  const bytes: SnapshotBytes = {
    byteLength: data.byteLength,
    read: (offset, length) => {
      reads.push(offset);
      return state.failing ? null : data.slice(offset, offset + length);
    },
  };
  return { bytes, reads, state };
}

const snapshotsTo = (network: readonly Message[], to: string) =>
  network.filter((m) => m.type === 'snapshot' && m.to === to);

describe('a leader serves its snapshot from the bytes the driver gives it', () => {
  it('sends chunks read from the source; an unreadable chunk is asked for again, not sent', () => {
    const { c, snapshot } = laggingBehindSnapshot();
    const n1 = c.node('n1');
    const source = recordingSource(snapshot.data);
    const { reads } = source;
    expect(n1.raft.serveSnapshotFrom(snapshot.meta, source.bytes)).toBe(true);

    c.partition([]);
    for (let i = 0; i < 3 * n1.config.heartbeatTicks; i++) {
      n1.raft.tick();
      c.stabilize(true);
    }
    // The leader tried, read nothing, sent no chunk, and n3 still lacks the entries.
    expect(reads.length).toBeGreaterThan(1);
    expect(snapshotsTo(c.network, 'n3')).toEqual([]);
    expect(c.node('n3').appliedIndex).toBeLessThan(snapshot.meta.index);

    source.state.failing = false;
    for (let i = 0; i < 3 * n1.config.heartbeatTicks && c.node('n3').appliedIndex < snapshot.meta.index; i++) {
      n1.raft.tick();
      c.stabilize(true);
    }
    expect(c.node('n3').appliedIndex).toBeGreaterThanOrEqual(snapshot.meta.index);
    expect(c.node('n3').applied).toEqual(n1.applied);
    // Every chunk of the snapshot came through the source, in order.
    const chunkOffsets = Array.from({ length: Math.ceil(snapshot.data.byteLength / 16) }, (_, i) => i * 16);
    expect(reads.filter((offset, i) => i === 0 || offset !== reads[i - 1])).toEqual(
      expect.arrayContaining(chunkOffsets),
    );
  });

  it('refuses bytes for another snapshot, or of another length', () => {
    const { c, snapshot } = laggingBehindSnapshot();
    const raft = c.node('n1').raft;
    const bytes: SnapshotBytes = { byteLength: snapshot.data.byteLength, read: () => null };
    expect(raft.serveSnapshotFrom({ ...snapshot.meta, index: snapshot.meta.index - 1 }, bytes)).toBe(false);
    expect(raft.serveSnapshotFrom({ ...snapshot.meta, term: snapshot.meta.term + 1 }, bytes)).toBe(false);
    expect(raft.serveSnapshotFrom(snapshot.meta, { ...bytes, byteLength: bytes.byteLength + 1 })).toBe(false);
    // A member that never had a snapshot has nothing to serve.
    expect(c.node('n3').raft.serveSnapshotFrom(snapshot.meta, bytes)).toBe(false);
  });
});
