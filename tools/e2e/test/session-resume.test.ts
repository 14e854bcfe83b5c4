// Goal: a session outlives the member it was on: after kill -9 of the member a client is
// connected to, the client resumes the same session on another member and its ephemeral node
// stays the whole time (it is never seen missing by another client).
// Method: a three-member cluster of keel-server processes; the owner client may use every
// member, an observer is pinned to a member the owner is not on and keeps reading the node until
// the owner reports `reconnected`. Run twice: once killing a follower, once killing the leader.
import type { ChaosCluster } from '@keel/chaos';
import type { ConnectionState } from '@keel/client';
import { describe, expect, it } from 'vitest';
import { addressesOf, type Clients, rolesOf } from './support/cluster';
import { useOwnCluster } from './support/own-cluster';

let cluster: ChaosCluster;
let clients: Clients;

useOwnCluster(
  (own) => {
    ({ cluster, clients } = own);
  },
  { healAfterEach: true },
);

async function survivesKillOf(role: 'leader' | 'follower'): Promise<void> {
  const roles = await rolesOf(addressesOf(cluster));
  const victim = role === 'leader' ? roles.leader : roles.followers[0];
  const observerMember = role === 'leader' ? roles.followers[0] : roles.followers[1];
  const owner = await clients.startingOn(victim, { sessionTimeoutMs: 20_000 });
  const observer = await clients.on(observerMember);
  const path = `/resume-${role}`;
  await owner.create(path, 'mine', { mode: 'ephemeral' });
  const sessionId = owner.sessionId;
  expect(sessionId).not.toBeNull();
  await observer.sync(path);
  expect((await observer.exists(path))?.ephemeralOwner).toBe(sessionId);

  const states: ConnectionState[] = [];
  const reconnected = new Promise<void>((resolve) => {
    owner.on('state', (state) => {
      states.push(state);
      if (state === 'reconnected') resolve();
    });
  });
  await cluster.kill(victim);
  let done = false;
  void reconnected.then(() => {
    done = true;
  });
  let checks = 0;
  while (!done) {
    const stat = await observer.exists(path);
    expect(stat?.ephemeralOwner, `check ${checks}`).toBe(sessionId);
    checks++;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(checks).toBeGreaterThan(0);
  expect(states).toEqual(['suspended', 'reconnected']);
  expect(owner.sessionId).toBe(sessionId);
  expect(owner.memberId).not.toBe(victim);

  // The resumed session still owns the node and can act on it.
  expect((await owner.exists(path, { linearizable: true }))?.ephemeralOwner).toBe(sessionId);
  await owner.set(path, 'still mine');
  await observer.sync(path);
  expect((await observer.exists(path))?.ephemeralOwner).toBe(sessionId);
}

describe('session resumption after kill -9 of its member', () => {
  it('keeps the ephemeral when a follower dies', async () => {
    await survivesKillOf('follower');
  });

  it('keeps the ephemeral when the leader dies', async () => {
    await survivesKillOf('leader');
  });
});
