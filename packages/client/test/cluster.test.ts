// Goal: in a three-member cluster the client fails over when the member it is connected to
// stops: suspended, then reconnected to another member with the same session, its ephemeral
// node kept, its persistent watch continuing without a gap, and reads never older than what
// it already saw.
// Method: three real members in-process (durable logs in temp dirs, peer and client sockets on
// 127.0.0.1); the member serving the watched client is stopped while a second client, connected
// to the other two, keeps writing.

import type { KeelServer } from '@keel/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type KeelClient, toText } from '../src/index';
import { agreedLeader, createRetrying, recordStates, startCluster, tempDir, waitFor } from './harness';

describe('client failover in a three-member cluster', () => {
  let servers: KeelServer[] = [];
  let cleanup: () => Promise<void>;
  const clients: KeelClient[] = [];
  const stopped = new Set<KeelServer>();

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    ({ servers } = await startCluster(temp.dir));
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    for (const server of servers) await server.stop();
    await cleanup?.();
  });

  it('moves to another member with the same session when its member stops', async () => {
    const urls = servers.map((server) => server.clientUrl);
    const client = await connect({ servers: urls, sessionTimeoutMs: 20_000, backoffMsMax: 200 });
    clients.push(client);
    const states = recordStates(client);
    const sessionId = client.sessionId;
    const serving = servers.find((server) => server.id === client.memberId);
    if (serving === undefined) throw new Error(`no member ${client.memberId}`);
    const others = servers.filter((server) => server !== serving);
    const writer = await connect({ servers: others.map((server) => server.clientUrl) });
    clients.push(writer);

    await client.create('/c', 'root');
    await client.create('/c/mine', '', { mode: 'ephemeral' });
    const stream = client.watch('/c', { recursive: true });
    await stream.ready;
    await writer.create('/c/1', 'one');
    await waitFor('the first event', async () => (await client.exists('/c/1')) !== null);
    const seenBefore = client.lastSeenRevision;

    stopped.add(serving);
    await serving.stop();
    // A write in flight while the leader stops may answer ConnectionLoss (unknown outcome).
    await createRetrying(writer, '/c/2', 'two');
    await waitFor('reconnected', () => states.includes('reconnected'));
    expect(states).toEqual(['suspended', 'reconnected']);
    expect(client.sessionId).toBe(sessionId);
    expect(client.memberId).not.toBe(serving.id);
    expect(others.map((server) => server.id)).toContain(client.memberId);

    // Reads on the new member are at least as new as what the client saw before; another
    // client's write needs a linearizable read (or sync) to be seen for sure, as in ZooKeeper.
    const read = await client.get('/c/2', { linearizable: true });
    expect(toText(read.data)).toBe('two');
    expect(client.lastSeenRevision).toBeGreaterThanOrEqual(seenBefore);
    expect((await client.exists('/c/mine'))?.ephemeralOwner).toBe(sessionId);
    // Writes go through whichever member serves the client.
    await createRetrying(client, '/c/3', 'three');

    const events: string[] = [];
    for await (const event of stream) {
      events.push(`${event.type} ${event.path}`);
      if (event.path === '/c/3') break;
    }
    expect(events).toEqual(['created /c/1', 'created /c/2', 'created /c/3']);
    await agreedLeader(others);
  });

  it('opens a new session on any member', async () => {
    for (const server of servers.filter((member) => !stopped.has(member))) {
      const client = await connect({ servers: [server.clientUrl] });
      clients.push(client);
      expect(client.memberId).toBe(server.id);
      await client.create(`/on-${server.id}`, server.id);
      expect(toText((await client.get(`/on-${server.id}`)).data)).toBe(server.id);
    }
  });
});
