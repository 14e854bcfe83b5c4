// Goal: when a lagging follower catches up by installing the leader's snapshot (skipping the
// changes in between), none of its watchers is left silently behind: every watch gets
// `resyncNeeded`, one-shot watches are then gone, persistent ones continue live from the
// snapshot's revision.
// Method: three real members snapshotting every 20 entries. The follower with the watcher is
// cut off from receiving (the other members are told a dead address for it; each direction of
// a peer pair has its own connection), the leader writes and compacts its log past the
// follower, then the address is restored and the leader sends its snapshot.
import { describe, expect, it } from 'vitest';
import { bytes, leaderAndFollower, RawClient, useCluster, waitFor } from './harness';

describe('KeelServer snapshot install and watches', () => {
  // The cut-off follower must keep its watcher's connection however long the leader takes to
  // compact (a member without a leader closes its clients after leaderlessCloseMs).
  const cluster = useCluster({ snapshotEveryEntries: 20, leaderlessCloseMs: 600_000 });

  it('sends resyncNeeded to every watch of a follower that installs a snapshot', async () => {
    const { leader, follower: lagging } = await leaderAndFollower(cluster.servers);
    const { client: writer } = await RawClient.connect(leader.clientUrl);
    await writer.expect({ op: 'create', xid: 0, path: '/snap', data: bytes('0'), mode: 'persistent' }, 'create');
    const base = await writer.expect(
      { op: 'create', xid: 0, path: '/once', data: bytes('0'), mode: 'persistent' },
      'create',
    );
    const { client: watcher } = await RawClient.connect(lagging.clientUrl);
    await watcher.expect(
      { op: 'addWatch', xid: 0, path: '/snap', kind: 'persistent', sinceRevision: base.revision },
      'addWatch',
    );
    await watcher.expect({ op: 'get', xid: 0, path: '/once', watch: true, linearizable: false }, 'get');
    expect(lagging.watchCount).toBe(2);

    const others = cluster.servers.filter((server) => server !== lagging);
    for (const server of others) server.node.setPeerAddresses({ [lagging.id]: 'ws://127.0.0.1:1' });
    let last = base.revision;
    for (let i = 0; i < 60; i++) {
      last = (await writer.expect({ op: 'set', xid: 0, path: '/snap', data: bytes(String(i)) }, 'set')).revision;
    }
    await writer.expect({ op: 'set', xid: 0, path: '/once', data: bytes('changed') }, 'set');
    await waitFor(
      'the leader to compact past the follower',
      () => leader.node.status().firstIndex > lagging.node.status().appliedIndex + 1,
      30_000,
    );
    for (const server of others) server.node.setPeerAddresses({ [lagging.id]: lagging.peerUrl });
    await waitFor('the follower to catch up', () => lagging.machine.appliedRevision > last, 30_000);
    expect(lagging.node.status().stats.snapshotsInstalled).toBeGreaterThan(0);

    // The member sent them when it installed the snapshot; under load they may still be on
    // their way to the client when its applied revision is read.
    const resyncs = (): string[] =>
      watcher
        .watchEvents()
        .filter((event) => event.event === 'resyncNeeded')
        .map((event) => ('kind' in event ? `${event.path} ${event.kind}` : ''));
    await waitFor('the resyncs to reach the client', () => resyncs().length >= 2, 10_000);
    expect(resyncs()).toEqual(expect.arrayContaining(['/snap persistent', '/once data']));
    expect(lagging.watchCount).toBe(1);
    const live = await writer.expect({ op: 'set', xid: 0, path: '/snap', data: bytes('live') }, 'set');
    await waitFor(
      'the live event',
      () => watcher.watchEvents().some((event) => event.event === 'dataChanged' && event.revision === live.revision),
      10_000,
    );
    await watcher.close();
    await writer.close();
  });
});
