// Goal: every request honours its timeout and AbortSignal with typed errors (a write's timeout
// says its outcome is unknown); connect() gives up at connectTimeoutMs or on abort; admin
// operations reach the member and come back typed.
// Method: one real single-member server; a TCP proxy that stalls the connection so answers
// never arrive; a closed port for connect failures.
import { createServer } from 'node:net';
import type { KeelServer } from '@keel/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, ConnectionLossError, connect, isKeelError, type KeelClient, TimeoutError } from '../src/index';
import { startSingle, TcpProxy, tempDir } from './harness';

describe('client timeouts and aborts', () => {
  let server: KeelServer;
  let cleanup: () => Promise<void>;
  let proxy: TcpProxy;
  let client: KeelClient;

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    server = await startSingle(temp.dir);
    proxy = await TcpProxy.start(server.clientUrl);
    client = await connect({ servers: [proxy.url], requestTimeoutMs: 150, sessionTimeoutMs: 30_000 });
  });

  afterAll(async () => {
    await client?.close();
    await proxy?.stop();
    await server?.stop();
    await cleanup?.();
  });

  it('times out requests that get no answer, with the unknown outcome of writes said', async () => {
    proxy.stall();
    try {
      const read = client.get('/');
      await expect(read).rejects.toBeInstanceOf(TimeoutError);
      const write = client.create('/maybe', 'x', { timeoutMs: 50 });
      await expect(write).rejects.toBeInstanceOf(TimeoutError);
      await expect(write).rejects.toThrow(/may or may not have been applied/);
    } finally {
      proxy.resume();
    }
    // The late answers are dropped; the client goes on.
    expect(await client.exists('/', { timeoutMs: 10_000 })).not.toBeNull();
  });

  it('takes Infinity as no timeout and refuses a non-positive one', async () => {
    proxy.stall();
    try {
      const controller = new AbortController();
      const unbounded = client.get('/', { timeoutMs: Number.POSITIVE_INFINITY, signal: controller.signal });
      const bounded = client.get('/', { timeoutMs: 100 });
      await expect(bounded).rejects.toBeInstanceOf(TimeoutError);
      // Still waiting after a shorter timeout fired: only the abort ends it.
      controller.abort();
      await expect(unbounded).rejects.toBeInstanceOf(AbortedError);
      await expect(client.get('/', { timeoutMs: 0 })).rejects.toMatchObject({ code: 'BadArguments' });
    } finally {
      proxy.resume();
    }
  });

  it('aborts a request with its signal, and refuses an aborted signal at once', async () => {
    proxy.stall();
    try {
      const controller = new AbortController();
      const pending = client.get('/', { signal: controller.signal, timeoutMs: 60_000 });
      controller.abort(new Error('changed my mind'));
      const error = await pending.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AbortedError);
      expect((error as AbortedError).cause).toEqual(new Error('changed my mind'));
      await expect(client.exists('/', { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    } finally {
      proxy.resume();
    }
    expect(await client.exists('/', { timeoutMs: 10_000 })).not.toBeNull();
  });

  it('gives up connecting at connectTimeoutMs, and on abort', async () => {
    // A port that was free a moment ago: connections are refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `ws://127.0.0.1:${address.port}`;

    const failed = await connect({ servers: [url], connectTimeoutMs: 300 }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(ConnectionLossError);
    expect(String((failed as Error).message)).toContain(url);

    const controller = new AbortController();
    const aborted = connect({ servers: [url], connectTimeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(aborted).rejects.toBeInstanceOf(AbortedError);
  });

  it('aborts connect() during an attempt that hangs', async () => {
    proxy.stall();
    try {
      const controller = new AbortController();
      const connecting = connect({ servers: [proxy.url], connectTimeoutMs: 60_000, signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      await expect(connecting).rejects.toBeInstanceOf(AbortedError);
    } finally {
      proxy.resume();
    }
  });

  it('connects past members that are down', async () => {
    const other = await connect({ servers: ['ws://127.0.0.1:1', proxy.url], connectTimeoutMs: 10_000 });
    expect(other.connected).toBe(true);
    await other.close();
  });

  it('sends the admin operations and types their answers and errors', async () => {
    const options = { timeoutMs: 10_000 };
    const before = await client.members(options);
    expect(before.leaderId).toBe('m1');
    expect(before.members.map((member) => [member.id, member.role])).toEqual([['m1', 'voter']]);
    // A learner needs no quorum of its own, so adding and removing an unreachable one is safe.
    await client.addLearner('observer', 'ws://127.0.0.1:9', options);
    const during = await client.members(options);
    expect(during.members.find((member) => member.id === 'observer')?.role).toBe('learner');
    await client.removeMember('observer', options);
    expect((await client.members(options)).members.map((member) => member.id)).toEqual(['m1']);
    const promoted = await client.promote('nobody', options).catch((error: unknown) => error);
    expect(isKeelError(promoted)).toBe(true);
    await expect(client.transferLeadership(undefined, options)).rejects.toMatchObject({ code: 'BadArguments' });
  });
});
