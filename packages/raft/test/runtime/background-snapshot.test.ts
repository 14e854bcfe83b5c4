// Goal: a member's own snapshot is serialised and stored beside the Ready loop, never in it:
// while the state machine is still serialising, proposals keep committing and applying; once
// it finishes, the snapshot is stored at the index it was captured at, the log is compacted
// behind it, and a restart recovers exactly (snapshot, then the entries after it). While the
// snapshot file is being written, proposals keep committing too.
// Method: one real member (RaftNode + WsTransport on 127.0.0.1 + DurableLog in a temp dir) with
// a state machine that captures its state when asked but hands the bytes over only when the
// test says so, standing in for a long serialisation; for the file, the real DurableLog behind
// a gate that holds `saveSnapshot` until the test opens it. No timing: each step waits for a state.
import { describe, expect, it } from 'vitest';
import type { Entry, Snapshot } from '../../src/core/types';
import { waitFor } from '../../src/demo/local-cluster';
import type { RaftStorage, StateMachine } from '../../src/runtime/interfaces';
import { RaftNode } from '../../src/runtime/raft-node';
import { DurableLog } from '../../src/storage/durable-log';
import { WsTransport } from '../../src/transport/ws-transport';
import { ChecksumStateMachine, payload } from './checksum-state-machine';
import { cleanUpAfterEach, onCleanup, secret, tempDir, tickMs, waitMs } from './cluster';

cleanUpAfterEach();

/** Captures at `snapshot()` time, delivers the bytes when `release()` is called. */
class HeldSnapshotStateMachine implements StateMachine<number> {
  readonly inner = new ChecksumStateMachine();
  private held: (() => void)[] = [];
  capturedAt: number[] = [];

  apply(entry: Entry): number {
    return this.inner.apply(entry);
  }

  snapshot(): Promise<Uint8Array> {
    const bytes = this.inner.snapshot();
    this.capturedAt.push(this.inner.lastIndex);
    return new Promise((resolve) => this.held.push(() => resolve(bytes)));
  }

  restore(data: Uint8Array): void {
    this.inner.restore(data);
  }

  get pending(): number {
    return this.held.length;
  }

  release(): void {
    for (const deliver of this.held.splice(0)) deliver();
  }
}

/** Hands its snapshot over as chunks of a few odd sizes, and an empty one. */
class ChunkedSnapshotStateMachine implements StateMachine<number> {
  readonly inner = new ChecksumStateMachine();
  chunksHandedOver = 0;

  apply(entry: Entry): number {
    return this.inner.apply(entry);
  }

  snapshot(): Uint8Array[] {
    const bytes = this.inner.snapshot();
    const chunks: Uint8Array[] = [new Uint8Array(0)];
    for (let at = 0, size = 1; at < bytes.byteLength; at += size, size = size * 3 + 1) {
      chunks.push(bytes.subarray(at, at + size));
    }
    this.chunksHandedOver += chunks.length;
    return chunks;
  }

  restore(data: Uint8Array): void {
    this.inner.restore(data);
  }
}

/** A DurableLog whose `saveSnapshot` starts only once `open()` is called. */
class GatedStorage implements RaftStorage {
  private opened = false;
  private waiting: (() => void)[] = [];
  snapshotsRequested = 0;

  constructor(private readonly log: DurableLog) {}

  open(): void {
    this.opened = true;
    for (const go of this.waiting.splice(0)) go();
  }

  async saveSnapshot(snapshot: Snapshot): Promise<void> {
    this.snapshotsRequested++;
    if (!this.opened) await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.log.saveSnapshot(snapshot);
  }

  load = () => this.log.load();
  append: RaftStorage['append'] = (entries) => this.log.append(entries);
  setHardState: RaftStorage['setHardState'] = (state) => this.log.setHardState(state);
  sync = () => this.log.sync();
  compact = (index: number) => this.log.compact(index);
  close = () => this.log.close();
}

async function startMember(dir: string, stateMachine: StateMachine<number>, gated = false, random?: () => number) {
  const log = await DurableLog.open(dir);
  const storage = gated ? new GatedStorage(log) : log;
  const node = await RaftNode.start<number>({
    id: 'n1',
    storage,
    transport: new WsTransport({ id: 'n1', listen: { host: '127.0.0.1', port: 0 }, clusterSecret: secret }),
    stateMachine,
    tickMs,
    snapshotEveryEntries: 100,
    ...(random === undefined ? {} : { raft: { random } }),
    bootstrap: { voters: ['n1'], learners: [] },
  });
  onCleanup(() => node.stop());
  await waitFor('the member to lead', () => node.isLeader(), waitMs);
  return { node, storage };
}

describe('background snapshots', () => {
  it('keeps committing while a snapshot is serialised, then compacts and recovers from it', async () => {
    const dir = await tempDir();
    const machine = new HeldSnapshotStateMachine();
    const { node: memberNode } = await startMember(dir, machine);
    const member = { node: memberNode };

    for (let i = 0; i < 150; i++) await member.node.propose(payload(i));
    await waitFor('a snapshot to be captured', () => machine.pending === 1, waitMs);
    const capturedAt = machine.capturedAt[0]!;

    // 300 more entries commit and apply while the snapshot is still being serialised.
    await Promise.all(Array.from({ length: 300 }, (_, i) => member.node.propose(payload(150 + i))));
    expect(machine.pending).toBe(1);
    expect(member.node.status().stats.snapshotsTaken).toBe(0);
    expect(member.node.status().appliedIndex).toBeGreaterThan(capturedAt + 299);

    machine.release();
    await waitFor('the snapshot to be stored', () => member.node.status().stats.snapshotsTaken === 1, waitMs);
    // Further snapshots are captured only after this one is stored.
    expect(machine.capturedAt).toHaveLength(1);
    const digest = machine.inner.digest();
    await member.node.stop();

    const restarted = new ChecksumStateMachine();
    const { node: again } = await startMember(dir, restarted);
    await waitFor('the restarted member to apply its log', () => restarted.digest() === digest, waitMs);
    expect(restarted.restores).toBe(1);
    expect(restarted.ids.size).toBe(450);
    expect(again.status().firstIndex).toBeGreaterThan(1);
  });

  it('keeps committing while the snapshot file is written', async () => {
    const dir = await tempDir();
    const machine = new ChecksumStateMachine();
    const { node, storage } = await startMember(dir, machine, true);
    const gate = storage as GatedStorage;

    for (let i = 0; i < 150; i++) await node.propose(payload(i));
    await waitFor('the snapshot write to start', () => gate.snapshotsRequested === 1, waitMs);
    await Promise.all(Array.from({ length: 300 }, (_, i) => node.propose(payload(150 + i))));
    expect(node.status().stats.snapshotsTaken).toBe(0);

    gate.open();
    await waitFor('the snapshot to be stored', () => node.status().stats.snapshotsTaken === 1, waitMs);
    const digest = machine.digest();
    await node.stop();

    const restarted = new ChecksumStateMachine();
    await startMember(dir, restarted);
    await waitFor('the restarted member to apply its log', () => restarted.digest() === digest, waitMs);
    expect(restarted.restores).toBe(1);
  });

  it('stores a snapshot the state machine hands over as chunks, and recovers from it', async () => {
    const dir = await tempDir();
    const machine = new ChunkedSnapshotStateMachine();
    const { node } = await startMember(dir, machine);
    for (let i = 0; i < 150; i++) await node.propose(payload(i));
    // A gap is drawn between 51 and 100 entries: a second snapshot may follow the first.
    await waitFor('a snapshot to be stored', () => node.status().stats.snapshotsTaken >= 1, waitMs);
    expect(machine.chunksHandedOver).toBeGreaterThan(2);
    const digest = machine.inner.digest();
    await node.stop();

    const restarted = new ChecksumStateMachine();
    await startMember(dir, restarted);
    await waitFor('the restarted member to apply its log', () => restarted.digest() === digest, waitMs);
    expect(restarted.restores).toBe(1);
    expect(restarted.ids.size).toBe(150);
  });

  it.each([
    [0.999, [51, 102]],
    [0, [100, 200]],
  ])(
    'with a random draw of %d, snapshots after gaps of more than half and at most all of snapshotEveryEntries',
    async (draw, captures) => {
      const dir = await tempDir();
      const machine = new HeldSnapshotStateMachine();
      const { node } = await startMember(dir, machine, false, () => draw);
      for (let i = 0; machine.capturedAt.length < 2 && i < 300; i++) {
        await node.propose(payload(i));
        if (machine.pending === 0) continue;
        // Stored before the next entry, so the next gap counts from this snapshot's index.
        const stored = node.status().stats.snapshotsTaken;
        machine.release();
        await waitFor('the snapshot to be stored', () => node.status().stats.snapshotsTaken === stored + 1, waitMs);
      }
      expect(machine.capturedAt).toEqual(captures);
    },
  );
});
