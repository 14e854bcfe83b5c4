// Goal: read-your-writes across a member switch: a client writes through member A, A dies, the
// client resumes on member B, which is behind; its next read still sees its write (the client
// sends its last-seen revision and B waits until it has applied that far).
// Method: a three-member cluster of keel-server processes. The client may use the two followers
// A and B only. The leader's link to B drops everything, so B provably lags (a client pinned to
// B still reads the old value); the client writes through A; A is killed with kill -9; the
// client's read is issued while B still lags, and only then is the network healed so B can
// catch up. A member that answered from its own stale state would return the old value.
import type { ChaosCluster } from '@keel/chaos';
import { toText } from '@keel/client';
import { describe, expect, it } from 'vitest';
import { addressesOf, type Clients, rolesOf, sleep } from './support/cluster';
import { useOwnCluster } from './support/own-cluster';

let cluster: ChaosCluster;
let clients: Clients;

useOwnCluster((own) => {
  ({ cluster, clients } = own);
});

describe('read-your-writes across a member switch', () => {
  it('a read after failing over to a lagging member sees the write made through the dead one', async () => {
    const { leader, followers } = await rolesOf(addressesOf(cluster));
    const client = await clients.connect(followers, { sessionTimeoutMs: 30_000 });
    const a = client.memberId!;
    const b = followers.find((id) => id !== a)!;
    const onB = await clients.on(b);
    await client.create('/ryw', 'old');
    await onB.sync('/ryw');
    expect(toText((await onB.get('/ryw')).data)).toBe('old');

    cluster.blockLink(leader, b);
    const written = await client.set('/ryw', 'new');
    expect(client.lastSeenRevision).toBeGreaterThanOrEqual(written.modifiedRevision);
    // B lags: its own state still has the old value.
    expect(toText((await onB.get('/ryw')).data)).toBe('old');

    const sessionId = client.sessionId;
    await cluster.kill(a);
    const read = client.get('/ryw');
    // Give the client time to reach B while B still lags (its resume and read must wait there).
    await sleep(1_000);
    expect(toText((await onB.get('/ryw')).data)).toBe('old');
    cluster.healNetwork();

    const { data, stat } = await read;
    expect(toText(data)).toBe('new');
    expect(stat.modifiedRevision).toBe(written.modifiedRevision);
    expect(client.memberId).toBe(b);
    expect(client.sessionId).toBe(sessionId);
  });
});
