/**
 * Goal: a leader whose own fsync is the slowest of the quorum answers its proposals once the
 * followers have made them committed, without waiting for its own disk (the core's
 * `applyBeforeDurable`, which `RaftNode` turns on); a snapshot it takes meanwhile at an
 * applied index above its durable log is stored without losing the entries written before it,
 * and once its fsyncs finish the members converge and its directory loads again.
 * Method: a real three-member cluster (RaftNode + WsTransport on 127.0.0.1 + DurableLog in
 * temp dirs) snapshotting every few entries; the leader's `storage.sync()` calls are held
 * until the test releases them. Every proposal must be answered while they are held (else the
 * wait times out and the test fails); then the syncs are released, the members must converge,
 * and the stopped leader's directory must load with a snapshot and log reaching every proposal.
 */
import { describe, expect, it } from 'vitest';
import { waitFor, waitForLeader } from '../../src/demo/local-cluster';
import { DurableLog } from '../../src/storage/durable-log';
import { cleanUpAfterEach, holdSyncs, onCleanup, startCluster, waitConverged, waitMs } from './cluster';

cleanUpAfterEach();

const encoder = new TextEncoder();

describe('apply before durable', () => {
  it('a leader answers while its own fsync is held, snapshots above its durable log, and recovers', async () => {
    // Gaps of 5-8 entries (more than half of 8): the first snapshot falls among the 12 entries
    // proposed while the leader's syncs are held.
    const { members } = await startCluster(['a', 'b', 'c'], { snapshotEveryEntries: 8 });
    const leader = await waitForLeader(members.values(), waitMs);
    await leader.node.propose(encoder.encode('warm-up'));

    const syncs = holdSyncs(leader);
    const from = leader.node.status().lastIndex + 1;
    let answered = 0;
    const proposals = Array.from({ length: 12 }, (_, i) =>
      leader.node.propose(encoder.encode(`early-${i}`)).then(() => {
        answered++;
      }),
    );
    const to = from + proposals.length - 1;
    await waitFor(
      'every proposal answered while the leader fsync is held',
      () => answered === proposals.length,
      waitMs,
    );
    expect(syncs.held()).toBeGreaterThan(0);
    expect(leader.node.status().appliedIndex).toBeGreaterThanOrEqual(to);

    syncs.release();
    await Promise.all(proposals);
    await waitConverged([...members.values()]);
    await waitFor(
      'the leader to compact behind a snapshot',
      () => leader.node.status().stats.snapshotsTaken > 0,
      waitMs,
    );

    await leader.node.stop();
    const reopened = await DurableLog.open(leader.dir);
    onCleanup(() => reopened.close());
    const state = await reopened.load();
    const snapshotIndex = state.snapshot?.meta.index ?? 0;
    // Taken while the entries from `from` on were applied but not durable on the leader.
    expect(snapshotIndex).toBeGreaterThanOrEqual(from);
    expect(state.entries.at(-1)?.index ?? snapshotIndex).toBeGreaterThanOrEqual(to);
  });
});
