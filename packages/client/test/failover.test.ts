// Goal: connection loss and session loss as a client sees them: suspended then reconnected with
// the same session; in-flight requests fail with ConnectionLoss while queued ones wait for the
// next connection; persistent and one-shot watches miss no event across a reconnect; a session
// that outlives its timeout without a connection is lost, its ephemerals deleted, and the
// client goes on with a fresh session.
// Method: one real single-member server; the watched client reaches it through a real TCP
// proxy that cuts connections, refuses new ones, or stalls; a second client writes directly.

import { encodeCommand, type KeelServer } from '@keel/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionLossError, connect, type KeelClient, SessionExpiredError, type WatchedEvent } from '../src/index';
import { recordStates, startSingle, TcpProxy, tempDir, waitFor } from './harness';

describe('client failover on one member', () => {
  let server: KeelServer;
  let cleanup: () => Promise<void>;
  let writer: KeelClient;
  let proxy: TcpProxy;
  const clients: KeelClient[] = [];

  async function viaProxy(sessionTimeoutMs = 10_000): Promise<KeelClient> {
    const client = await connect({ servers: [proxy.url], sessionTimeoutMs, backoffMsMax: 100 });
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    server = await startSingle(temp.dir, { sessionTimeoutMsMin: 300, expiryCheckMs: 20 });
    writer = await connect({ servers: [server.clientUrl] });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
    await proxy?.stop();
  });

  afterAll(async () => {
    await writer?.close();
    await server?.stop();
    await cleanup?.();
  });

  it('suspends on a cut connection and resumes the same session', async () => {
    proxy = await TcpProxy.start(server.clientUrl);
    const client = await viaProxy();
    const states = recordStates(client);
    const sessionId = client.sessionId;
    await client.create('/cut', '', { mode: 'ephemeral' });

    proxy.cut();
    await waitFor('reconnected', () => states.includes('reconnected'));
    expect(states).toEqual(['suspended', 'reconnected']);
    expect(client.sessionId).toBe(sessionId);
    expect(client.state).toBe('reconnected');
    // The session and its ephemeral node lived on.
    expect((await client.exists('/cut'))?.ephemeralOwner).toBe(sessionId);
  });

  it('fails in-flight writes with ConnectionLoss, re-sends in-flight reads, and sends queued requests later', async () => {
    proxy = await TcpProxy.start(server.clientUrl);
    const client = await viaProxy();
    const strict = await connect({ servers: [proxy.url], retryReads: false });
    clients.push(strict);
    const states = recordStates(client);
    await client.create('/queued', 'v');

    proxy.stall();
    // Outcomes are captured at once: some settle while the test awaits others.
    const inFlightWrite = client.set('/queued', 'lost in flight').catch((error: unknown) => error);
    const inFlightRead = client.get('/queued');
    const strictRead = strict.get('/queued').catch((error: unknown) => error);
    // Let the frames leave the clients before cutting.
    await new Promise((resolve) => setTimeout(resolve, 50));
    proxy.refuse = true;
    proxy.cut();
    const writeError = await inFlightWrite;
    expect(writeError).toBeInstanceOf(ConnectionLossError);
    expect(String(writeError)).toMatch(/may or may not have been applied/);
    expect(await strictRead).toBeInstanceOf(ConnectionLossError);
    await waitFor('suspended', () => client.state === 'suspended');

    const queued = client.set('/queued', 'while away');
    proxy.resume();
    proxy.refuse = false;
    const stat = await queued;
    // The write that was in flight may or may not have been applied: version 1 or 2.
    expect([1, 2]).toContain(stat.version);
    expect((await inFlightRead).stat.version).toBeLessThanOrEqual(stat.version);
    expect(states).toEqual(['suspended', 'reconnected']);
    const written = await writer.get('/queued');
    expect(new TextDecoder().decode(written.data)).toBe('while away');
  });

  it('keeps a persistent watch without a gap across a reconnect', async () => {
    proxy = await TcpProxy.start(server.clientUrl);
    const client = await viaProxy();
    await writer.create('/gapless', '');
    const stream = client.watch('/gapless', { recursive: true });
    await stream.ready;
    await writer.create('/gapless/before');
    await waitFor('the first event to arrive', () => client.lastSeenRevision > 0);

    proxy.refuse = true;
    proxy.cut();
    await waitFor('suspended', () => client.state === 'suspended');
    // Changes made while the client is away.
    await writer.create('/gapless/away-1');
    await writer.set('/gapless/away-1', 'x');
    await writer.delete('/gapless/before');
    proxy.refuse = false;
    await waitFor('reconnected', () => client.state === 'reconnected');
    await writer.create('/gapless/after');

    const events: string[] = [];
    for await (const event of stream) {
      events.push(`${event.type} ${event.path}`);
      if (event.path === '/gapless/after') break;
    }
    expect(events).toEqual([
      'created /gapless/before',
      'created /gapless/away-1',
      'dataChanged /gapless/away-1',
      'deleted /gapless/before',
      'created /gapless/after',
    ]);
  });

  it('delivers each missed change once to overlapping watches after a reconnect', async () => {
    proxy = await TcpProxy.start(server.clientUrl);
    const client = await viaProxy();
    await writer.create('/ov', '');
    await writer.create('/ov/x', '');
    const tree = client.watch('/ov', { recursive: true });
    const node = client.watch('/ov/x');
    await Promise.all([tree.ready, node.ready]);

    proxy.refuse = true;
    proxy.cut();
    await waitFor('suspended', () => client.state === 'suspended');
    // Both watches see these changes, so both replays carry them.
    await writer.set('/ov/x', '1');
    await writer.set('/ov/x', '2');
    proxy.refuse = false;
    await waitFor('reconnected', () => client.state === 'reconnected');
    await writer.delete('/ov/x');

    const collect = async (stream: typeof tree): Promise<string[]> => {
      const events: string[] = [];
      for await (const event of stream) {
        events.push(`${event.type} ${event.path}`);
        if (event.type === 'deleted') break;
      }
      return events;
    };
    const expected = ['dataChanged /ov/x', 'dataChanged /ov/x', 'deleted /ov/x'];
    expect(await collect(tree)).toEqual(expected);
    expect(await collect(node)).toEqual(expected);
  });

  it('fires a one-shot watch for a change made while disconnected', async () => {
    proxy = await TcpProxy.start(server.clientUrl);
    const client = await viaProxy();
    await writer.create('/missed', 'a');
    const events: WatchedEvent[] = [];
    await client.get('/missed', { watch: (event) => events.push(event) });

    proxy.refuse = true;
    proxy.cut();
    await waitFor('suspended', () => client.state === 'suspended');
    await writer.set('/missed', 'b');
    await writer.set('/missed', 'c');
    proxy.refuse = false;
    await waitFor('the watch to fire', () => events.length > 0);
    await client.sync('/');
    expect(events.map((event) => event.type)).toEqual(['dataChanged']);
  });

  it('registers a turn watch again after a reconnect, and fires it for a deletion made while away', async () => {
    proxy = await TcpProxy.start(server.clientUrl);
    const client = await viaProxy();
    await writer.create('/turns');
    const ahead = await writer.create('/turns/n-', '', { mode: 'persistent_sequential' });
    const mine = await client.create('/turns/n-', '', { mode: 'persistent_sequential' });
    const events: WatchedEvent[] = [];
    await client.watchTurn(mine, (event) => events.push(event));

    proxy.refuse = true;
    proxy.cut();
    await waitFor('suspended', () => client.state === 'suspended');
    await writer.delete(ahead);
    proxy.refuse = false;
    await waitFor('the turn watch to fire', () => events.length > 0);
    await client.sync('/');
    expect(events.map((event) => `${event.type} ${event.path}`)).toEqual([`turn ${mine}`]);
  });

  it('reports lost when the session times out unreached, then opens a fresh session', async () => {
    proxy = await TcpProxy.start(server.clientUrl);
    const client = await viaProxy(1_000);
    expect(client.sessionTimeoutMs).toBe(1_000);
    const states = recordStates(client);
    const oldSession = client.sessionId;
    if (oldSession === null) throw new Error('no session');
    await client.create('/lease', '', { mode: 'ephemeral' });
    const stream = client.watch('/lease');
    await stream.ready;

    proxy.refuse = true;
    proxy.cut();
    await waitFor('suspended', () => states.includes('suspended'));
    // A watch opened while suspended waits for a connection, and outlives the session too.
    const late = client.watch('/lease', { recursive: true });
    await waitFor('lost', () => states.includes('lost'));
    expect(client.sessionId).toBeNull();
    await waitFor('the member to expire the session', () => server.machine.session(oldSession) === undefined);
    expect(await writer.exists('/lease')).toBeNull();

    // Requests made while lost wait for the fresh session.
    const created = client.create('/lease', '', { mode: 'ephemeral' });
    proxy.refuse = false;
    await created;
    expect(states).toEqual(['suspended', 'lost', 'reconnected']);
    expect(client.sessionId).not.toBe(oldSession);
    expect((await writer.exists('/lease'))?.ephemeralOwner).toBe(client.sessionId);
    // The persistent watch followed the client to its new session: it saw the deletion by
    // expiry (replayed, or announced as resyncNeeded) and the new creation.
    const events: string[] = [];
    for await (const event of stream) {
      events.push(event.type);
      if (event.type === 'created') break;
    }
    expect(events.at(-1)).toBe('created');
    expect(events[0] === 'deleted' || events[0] === 'resyncNeeded').toBe(true);
    await late.ready;
    const lateEvents: string[] = [];
    for await (const event of late) {
      lateEvents.push(event.type);
      if (event.type === 'created') break;
    }
    expect(lateEvents.at(-1)).toBe('created');
  });

  /** Expires a session the way the leader does: a closeSession entry through Raft. */
  async function expire(sessionId: string): Promise<void> {
    await server.node.propose(encodeCommand({ type: 'closeSession', sessionId, reason: 'expired', time: Date.now() }));
  }

  it('reports lost at once when the member expires the session of a live connection', async () => {
    const client = await connect({ servers: [server.clientUrl], sessionTimeoutMs: 10_000 });
    clients.push(client);
    const states = recordStates(client);
    const oldSession = client.sessionId;
    if (oldSession === null) throw new Error('no session');
    await expire(oldSession);
    await waitFor('reconnected', () => states.includes('reconnected'));
    expect(states).toEqual(['lost', 'reconnected']);
    expect(client.sessionId).not.toBe(oldSession);
    expect(await client.exists('/')).not.toBeNull();
  });

  it('reports lost when the member refuses to resume an expired session', async () => {
    proxy = await TcpProxy.start(server.clientUrl);
    const client = await viaProxy(10_000);
    const states = recordStates(client);
    const oldSession = client.sessionId;
    if (oldSession === null) throw new Error('no session');
    proxy.refuse = true;
    proxy.cut();
    await waitFor('suspended', () => client.state === 'suspended');
    await expire(oldSession);
    proxy.refuse = false;
    await waitFor('reconnected', () => states.includes('reconnected'));
    expect(states).toEqual(['suspended', 'lost', 'reconnected']);
    expect(client.sessionId).not.toBe(oldSession);
  });

  it('keeps an idle session alive with pings', async () => {
    const client = await connect({ servers: [server.clientUrl], sessionTimeoutMs: 900 });
    clients.push(client);
    const states = recordStates(client);
    const sessionId = client.sessionId;
    if (sessionId === null) throw new Error('no session');
    // Idle for several session timeouts: only the pings keep the session.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(states).toEqual([]);
    expect(server.machine.session(sessionId)).toBeDefined();
  });

  it('fails requests pending at the loss with SessionExpired', async () => {
    proxy = await TcpProxy.start(server.clientUrl);
    const client = await viaProxy(1_000);
    proxy.refuse = true;
    proxy.cut();
    await waitFor('suspended', () => client.state === 'suspended');
    const pending = client.get('/');
    await expect(pending).rejects.toBeInstanceOf(SessionExpiredError);
    expect(client.state).toBe('lost');
    proxy.refuse = false;
    await waitFor('reconnected', () => client.state === 'reconnected');
    expect(await client.exists('/')).not.toBeNull();
  });

  it('drops a silent connection and reconnects', async () => {
    proxy = await TcpProxy.start(server.clientUrl);
    const client = await viaProxy(600);
    const states = recordStates(client);
    const sessionId = client.sessionId;
    proxy.stall();
    await waitFor('suspended', () => states.includes('suspended'));
    proxy.resume();
    await waitFor('reconnected', () => states.includes('reconnected'));
    // Whether the session survived depends on timing; the client must be usable either way.
    expect(await client.exists('/')).not.toBeNull();
    if (!states.includes('lost')) expect(client.sessionId).toBe(sessionId);
  });
});

describe('client watches beyond the member window', () => {
  let server: KeelServer;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    // A window of two revisions: a client away for more changes than that cannot be replayed to.
    server = await startSingle(temp.dir, { changeWindowRevisions: 2 });
  });

  afterAll(async () => {
    await server?.stop();
    await cleanup?.();
  });

  it('announces missed events with resyncNeeded to streams and one-shot watches', async () => {
    const proxy = await TcpProxy.start(server.clientUrl);
    const writer = await connect({ servers: [server.clientUrl] });
    const client = await connect({ servers: [proxy.url], backoffMsMax: 100 });
    try {
      await writer.create('/far', '0');
      const stream = client.watch('/far', { recursive: true });
      await stream.ready;
      const oneShot: WatchedEvent[] = [];
      await client.get('/far', { watch: (event) => oneShot.push(event) });

      proxy.refuse = true;
      proxy.cut();
      await waitFor('suspended', () => client.state === 'suspended');
      for (let i = 1; i <= 5; i++) await writer.set('/far', String(i));
      proxy.refuse = false;
      await waitFor('reconnected', () => client.state === 'reconnected');
      await writer.create('/far/next');

      const events: string[] = [];
      for await (const event of stream) {
        events.push(`${event.type} ${event.path}`);
        if (event.path === '/far/next') break;
      }
      // No silence: one resyncNeeded for the gap, then the stream goes on.
      expect(events).toEqual(['resyncNeeded /far', 'created /far/next']);
      expect(oneShot.map((event) => event.type)).toEqual(['resyncNeeded']);
    } finally {
      await client.close();
      await writer.close();
      await proxy.stop();
    }
  });
});
