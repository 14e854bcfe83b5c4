// Goal: writes in flight on a follower when the leader dies are all answered, never left
// hanging: each with its result or with `ConnectionLoss` (outcome unknown), after which the
// connection closes so no later answer can overtake it; the session survives, resumes on the
// same follower, every acknowledged write is present, and new writes succeed.
// Method: three real members; the follower's write timeout is set far beyond the test's, so a
// ConnectionLoss can only come from the member failing its pending writes on the leader change.
// Twenty pipelined creates are sent, then the leader is stopped.
import { encodeRequest, type ServerMessage } from '@keel/protocol';
import { describe, expect, it } from 'vitest';
import { bytes, leaderAndFollower, RawClient, useCluster, waitForLeader } from './harness';

describe('KeelServer leader failover', () => {
  const cluster = useCluster({ writeTimeoutMs: 600_000 });

  it('answers every in-flight write across a leader failover and keeps the acknowledged ones', async () => {
    const { leader, follower } = await leaderAndFollower(cluster.servers);
    const { client, session } = await RawClient.connect(follower.clientUrl);
    await client.expect({ op: 'create', xid: 0, path: '/f', data: bytes(''), mode: 'persistent' }, 'create');

    const xids: number[] = [];
    for (let i = 0; i < 20; i++) {
      const xid = client.xid();
      xids.push(xid);
      client.sendRaw(encodeRequest({ op: 'create', xid, path: `/f/n${i}`, data: bytes(''), mode: 'persistent' }));
    }
    const stopped = leader.stop();
    const answers: ServerMessage[] = [];
    for (;;) {
      const message = await client.next();
      if (message === null) break;
      if ('xid' in message) answers.push(message);
      if (answers.length === xids.length) break;
    }
    await stopped;
    const acknowledged: string[] = [];
    for (const [i, answer] of answers.entries()) {
      expect('xid' in answer ? answer.xid : -1).toBe(xids[i]);
      if (answer.type === 'create') acknowledged.push(answer.path);
      else expect(answer).toMatchObject({ type: 'error', code: 'ConnectionLoss' });
    }
    // Anything short of all twenty answered means the connection was closed after a ConnectionLoss.
    if (answers.length < xids.length) expect(answers.at(-1)).toMatchObject({ code: 'ConnectionLoss' });
    await client.close();

    const live = cluster.servers.filter((server) => server !== leader);
    await waitForLeader(live);
    const resumed = await RawClient.open(follower.clientUrl);
    await resumed.expect(
      {
        op: 'resume',
        xid: 0,
        sessionId: session.sessionId,
        secret: session.secret,
        sessionTimeoutMs: 30_000,
        lastSeenRevision: Math.max(0, ...answers.map((answer) => answer.revision)),
        readOnly: false,
      },
      'connected',
    );
    for (const path of acknowledged) {
      const found = await resumed.expect({ op: 'exists', xid: 0, path, watch: false, linearizable: true }, 'exists');
      expect(found.stat).not.toBeNull();
    }
    await resumed.expect({ op: 'create', xid: 0, path: '/f/after', data: bytes(''), mode: 'persistent' }, 'create');
    await resumed.close();
  });
});
