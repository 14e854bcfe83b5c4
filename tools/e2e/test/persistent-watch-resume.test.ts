// Goal: a persistent watch resumed after a reconnect misses no event and repeats none: while a
// writer keeps writing, the watcher's member dies; the watcher's events are exactly the
// acknowledged writes, in order, with their revisions.
// Method: a three-member cluster of keel-server processes; the writer is pinned to the leader,
// the watcher's client starts on a follower (and may fail over to any member). That follower is
// killed with kill -9 after the first writes, and writing goes on until well after the watcher
// reconnected (its client re-registers the watch with its last-seen revision; the new member
// replays what was missed). A kill is noticed at once and the client reconnects within moments,
// so a second case first freezes the member (SIGSTOP: the client only notices after two thirds
// of its session timeout, while hundreds of writes go by), then kills it: those writes reach the
// watcher only through the replay.

import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosCluster } from '@keel/chaos';
import type { ConnectionState, WatchedEvent } from '@keel/client';
import { defaultChangeWindowRevisions } from '@keel/server';
import { describe, expect, it } from 'vitest';
import { addressesOf, type Clients, rolesOf, waitUntil } from './support/cluster';
import { useOwnCluster } from './support/own-cluster';

let cluster: ChaosCluster;
let clients: Clients;

useOwnCluster(
  (own) => {
    ({ cluster, clients } = own);
  },
  { healAfterEach: true },
);

async function watchAcrossFailover(fault: 'kill' | 'pause-then-kill'): Promise<void> {
  const roles = await rolesOf(addressesOf(cluster));
  const victim = roles.followers[0];
  const writer = await clients.on(roles.leader);
  // Long enough to outlast the two thirds of it the client waits before it notices a frozen member.
  const watcher = await clients.startingOn(victim, { sessionTimeoutMs: 9_000 });
  const sessionId = watcher.sessionId;
  const path = `/pw-${fault}`;
  await writer.create(path, 'start');
  await watcher.sync(path);

  const stream = watcher.watch(path);
  await stream.ready;
  const events: WatchedEvent[] = [];
  const consumed = (async () => {
    for await (const event of stream) events.push(event);
  })();
  const acked: number[] = [];
  let state: ConnectionState = watcher.state;
  const states: string[] = [];
  watcher.on('state', (next) => {
    states.push(`${next} after ${acked.length} acks`);
    state = next;
    // The frozen member is noticed as gone: now kill it for good.
    if (next === 'suspended' && fault === 'pause-then-kill') void cluster.kill(victim);
  });

  let ackedWhileAway = 0;
  let afterReconnect = 0;
  // A ceiling on writing, should the watcher never come back (the assertions below then fail).
  const deadline = Date.now() + 60_000;
  for (let i = 0; Date.now() < deadline && (acked.length < 50 || afterReconnect < 50); i++) {
    const stat = await writer.set(path, `value-${i}`);
    acked.push(stat.modifiedRevision);
    if (acked.length === 50) {
      if (fault === 'kill') await cluster.kill(victim);
      else cluster.pause(victim);
    }
    if (state === 'reconnected') afterReconnect++;
    else if (acked.length > 50) {
      ackedWhileAway++;
      // Hundreds of writes, not tens of thousands: a fast machine wrote more than the member's
      // change window (10,000 revisions) while the client waited out the frozen member, and the
      // replay then rightly ended in `resyncNeeded` instead of the missed events.
      await sleep(2);
    }
  }
  expect(state).toBe('reconnected');
  await waitUntil('the victim is gone', () => cluster.member(victim).state === 'stopped');
  expect(watcher.sessionId).toBe(sessionId);
  expect(watcher.memberId).not.toBe(victim);
  if (fault === 'pause-then-kill') expect(ackedWhileAway).toBeGreaterThan(0);
  expect(ackedWhileAway).toBeLessThan(defaultChangeWindowRevisions);

  const last = acked[acked.length - 1]!;
  await waitUntil('the watcher saw the last write', () => events.some((event) => event.revision >= last));
  stream.close();
  await consumed;
  // Spelled out first so a failure says what went wrong, not only that two long lists differ.
  const seen = new Set(events.map((event) => event.revision));
  const report = {
    missing: acked.filter((revision) => !seen.has(revision)),
    unexpected: events.filter((event) => event.type !== 'dataChanged' || !acked.includes(event.revision)),
    states,
    member: watcher.memberId,
  };
  expect(report).toEqual({ missing: [], unexpected: [], states, member: watcher.memberId });
  expect(events).toEqual(acked.map((revision) => ({ type: 'dataChanged', path, revision })));
}

describe('persistent watch across the loss of its member', () => {
  it('kill -9: every acknowledged write exactly once, in order', async () => {
    await watchAcrossFailover('kill');
  });

  it('SIGSTOP, then kill -9 once the client noticed: the missed writes are replayed, none twice', async () => {
    await watchAcrossFailover('pause-then-kill');
  });
});
