// Goal: a persistent watch resumed after a reconnect misses no event and repeats none: while a
// writer keeps writing, the watcher's member is killed; the watcher's events are exactly the
// acknowledged writes, in order, with their revisions.
// Method: a three-member cluster of keel-server processes; the writer is pinned to the leader,
// the watcher's client starts on a follower (and may fail over to any member); that follower is
// killed with kill -9 after the first writes, and writing goes on until well after the watcher
// reconnected (its client re-registers the watch with its last-seen revision; the new member
// replays what was missed).
import type { ChaosCluster } from '@keel/chaos';
import type { WatchedEvent } from '@keel/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressesOf, Clients, rolesOf, startCluster, waitUntil } from './support/cluster';

let cluster: ChaosCluster;
let clients: Clients;

beforeAll(async () => {
  cluster = await startCluster();
  clients = new Clients(addressesOf(cluster));
});

afterAll(async () => {
  await clients?.closeAll();
  await cluster?.destroy();
});

describe('persistent watch across a member kill', () => {
  it("delivers every acknowledged write exactly once, in order, across the watcher's failover", async () => {
    const roles = await rolesOf(addressesOf(cluster));
    const victim = roles.followers[0];
    const writer = await clients.on(roles.leader);
    const watcher = await clients.startingOn(victim, { sessionTimeoutMs: 20_000 });
    const sessionId = watcher.sessionId;
    await writer.create('/pw', 'start');
    await watcher.sync('/pw');

    const stream = watcher.watch('/pw');
    await stream.ready;
    const events: WatchedEvent[] = [];
    const consumed = (async () => {
      for await (const event of stream) events.push(event);
    })();
    let reconnected = false;
    watcher.on('state', (state) => {
      if (state === 'reconnected') reconnected = true;
    });

    const acked: number[] = [];
    let killed: Promise<void> | null = null;
    let afterReconnect = 0;
    for (let i = 0; i < 5_000 && (acked.length < 50 || afterReconnect < 50); i++) {
      const stat = await writer.set('/pw', `value-${i}`);
      acked.push(stat.modifiedRevision);
      if (acked.length === 50) killed = cluster.kill(victim);
      if (reconnected) afterReconnect++;
    }
    await killed;
    expect(reconnected).toBe(true);
    expect(watcher.sessionId).toBe(sessionId);
    expect(watcher.memberId).not.toBe(victim);

    const last = acked[acked.length - 1]!;
    await waitUntil('the watcher saw the last write', () => events.some((event) => event.revision >= last));
    stream.close();
    await consumed;
    expect(events).toEqual(acked.map((revision) => ({ type: 'dataChanged', path: '/pw', revision })));
  });
});
