// Goal: a recipe closed (or an acquisition aborted) while one of its requests is in flight does
// nothing with that request's answer: no leadership, no lock, no event, no node left behind.
// Method: a real one-member Keel server on 127.0.0.1 and real clients; the subject's client
// connects through a ReplyGate, which holds back the member's answer to one chosen request
// until the test has called close() (or aborted), then delivers it, or cuts the connection so
// that the answer is lost and the request fails. No sleeps: each step waits for the held answer
// to arrive.
import type { KeelClient } from '@keel/client';
import type { Request } from '@keel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DistributedQueue,
  DoubleBarrier,
  jsonInstanceSerializer,
  LeaderLatch,
  NodeCache,
  PersistentNode,
  ReadWriteLock,
  Semaphore,
  ServiceCache,
  TreeCache,
} from '../src/index';
import { client, InProcessCluster } from './harness';
import { ReplyGate } from './reply-gate';

/** A request on a path under `directory`. */
function under(directory: string, op: Request['op']): (request: Request) => boolean {
  return (request) => request.op === op && 'path' in request && request.path.startsWith(`${directory}/`);
}

/** A request on `path` itself. */
function on(path: string, op: Request['op']): (request: Request) => boolean {
  return (request) => request.op === op && 'path' in request && request.path === path;
}

/** The names of the events `emitter` emits from now on, in order. */
function heard<Name extends string>(
  emitter: { on(event: Name, listener: () => void): unknown },
  names: readonly Name[],
): string[] {
  const events: string[] = [];
  for (const name of names) emitter.on(name, () => events.push(name));
  return events;
}

describe('close races', () => {
  let cluster: InProcessCluster;
  let observer: KeelClient;

  beforeAll(async () => {
    cluster = await InProcessCluster.start(1);
    observer = await client(cluster.urls);
    await observer.create('/races', '');
  });

  afterAll(async () => {
    await observer.close();
    await cluster.stop();
  });

  /** A client whose answers the returned gate can hold. */
  async function gatedClient(): Promise<{ gate: ReplyGate; subject: KeelClient }> {
    const gate = new ReplyGate();
    return { gate, subject: await client(cluster.urls, { WebSocket: gate.WebSocket }) };
  }

  it('leader latch - a queue check answered after close() does not lead', async () => {
    const { gate, subject } = await gatedClient();
    const latch = new LeaderLatch(subject, '/races/latch');
    const events = heard(latch, ['isLeader', 'notLeader']);
    // The exists check of its own node, the last read before the latch decides it leads.
    const check = gate.hold(under('/races/latch', 'exists'));
    latch.start();
    await check.arrived;

    const closing = latch.close();
    check.release();
    await closing;

    expect(events).toEqual([]);
    expect(latch.hasLeadership()).toBe(false);
    expect(latch.leadershipSignal.aborted).toBe(true);
    expect(await observer.children('/races/latch', { linearizable: true }).catch(() => [])).toEqual([]);
    await subject.close();
  });

  it('read lock - a list answered after the abort does not hand out the lock', async () => {
    const writer = await new ReadWriteLock(observer, '/races/rw').writeLock.acquire();
    const { gate, subject } = await gatedClient();
    const reader = new ReadWriteLock(subject, '/races/rw').readLock;
    const controller = new AbortController();
    // The list behind the reader's create shows the writer; it is handed over once the writer
    // is gone, so the reader's watch on the writer finds nothing and it lists again.
    const behindCreate = gate.hold(on('/races/rw', 'children'));
    const acquiring = reader.acquire({ signal: controller.signal });
    await behindCreate.arrived;
    await writer.release();
    const listAgain = gate.hold(on('/races/rw', 'children'));
    behindCreate.release();
    await listAgain.arrived;

    controller.abort(new Error('caller gave up'));
    listAgain.release();

    await expect(acquiring).rejects.toThrow('caller gave up');
    expect(reader.isAcquiredInThisProcess()).toBe(false);
    expect(await observer.children('/races/rw', { linearizable: true }).catch(() => [])).toEqual([]);
    await subject.close();
  });

  it('semaphore - a lease check answered after the abort does not hand out a lease', async () => {
    const { gate, subject } = await gatedClient();
    const semaphore = new Semaphore(subject, '/races/semaphore', 1);
    const controller = new AbortController();
    // The check that the lease node is still ours, the last read before the lease is handed out.
    const check = gate.hold(under('/races/semaphore/leases', 'exists'));
    const acquiring = semaphore.acquire({ signal: controller.signal });
    await check.arrived;

    controller.abort(new Error('caller gave up'));
    check.release();

    await expect(acquiring).rejects.toThrow('caller gave up');
    expect(await semaphore.participantNodes()).toEqual([]);
    expect(await observer.children('/races/semaphore/locks', { linearizable: true }).catch(() => [])).toEqual([]);
    await subject.close();
  });

  it('persistent node - a create answered after close() is deleted, not announced', async () => {
    const { gate, subject } = await gatedClient();
    const node = new PersistentNode(subject, '/races/node/member', 'up');
    const created: string[] = [];
    node.on('created', (path) => created.push(path));
    const create = gate.hold(on('/races/node/member', 'create'));
    node.start();
    const initial = node.waitForInitialCreate();
    await create.arrived;

    const closing = node.close();
    create.release();
    await closing;

    expect(created).toEqual([]);
    expect(await initial).toBe(false);
    expect(node.getActualPath()).toBeNull();
    expect(await observer.exists('/races/node/member', { linearizable: true })).toBeNull();
    await subject.close();
  });

  it('tree cache - a first load answered after close() announces nothing', async () => {
    await observer.create('/races/tree', '');
    await observer.create('/races/tree/child', 'x');
    const { gate, subject } = await gatedClient();
    const cache = new TreeCache(subject, '/races/tree');
    const events = heard(cache, ['initialized', 'nodeAdded', 'nodeUpdated', 'nodeRemoved', 'changed']);
    const firstRead = gate.hold(on('/races/tree', 'get'));
    const starting = cache.start();
    await firstRead.arrived;

    const closing = cache.close();
    firstRead.release();
    await closing;
    await starting;

    expect(events).toEqual([]);
    await subject.close();
  });

  /**
   * Starts `cache` and holds its first read of `path`; then the application shuts down, the
   * cache and then its client, and the connection goes before the answer: the read fails with
   * the closed client. Resolves once `start()` has settled (a rejection fails the test).
   */
  async function closeDuringFirstRead(
    gate: ReplyGate,
    subject: KeelClient,
    cache: { start(): Promise<void>; close(): Promise<void> },
    path: string,
  ): Promise<void> {
    const firstRead = gate.hold(on(path, 'get'));
    const starting = cache.start();
    await firstRead.arrived;
    const closing = cache.close();
    const clientClosing = subject.close();
    firstRead.cut();
    await closing;
    await starting;
    await clientClosing;
  }

  it('tree cache - a first load failing after close() reports nothing, and start() resolves', async () => {
    await observer.create('/races/tree-start', '');
    const { gate, subject } = await gatedClient();
    const cache = new TreeCache(subject, '/races/tree-start');
    const events = heard(cache, ['initialized', 'nodeAdded', 'error']);
    await closeDuringFirstRead(gate, subject, cache, '/races/tree-start');
    expect(events).toEqual([]);
  });

  it('node cache - a first read failing after close() reports nothing', async () => {
    await observer.create('/races/cached-start', 'one');
    const { gate, subject } = await gatedClient();
    const cache = new NodeCache(subject, '/races/cached-start');
    const events = heard(cache, ['nodeChanged', 'error']);
    await closeDuringFirstRead(gate, subject, cache, '/races/cached-start');
    expect(events).toEqual([]);
  });

  it('node cache - a read after a change failing after close() reports nothing', async () => {
    await observer.create('/races/cached', 'one');
    const { gate, subject } = await gatedClient();
    const cache = new NodeCache(subject, '/races/cached');
    await cache.start();
    const events = heard(cache, ['nodeChanged', 'error']);
    const read = gate.hold(on('/races/cached', 'get'));
    await observer.set('/races/cached', 'two');
    await read.arrived;

    const closing = cache.close();
    const clientClosing = subject.close();
    read.cut();
    await closing;
    await clientClosing;

    expect(events).toEqual([]);
  });

  it('tree cache - a read after an event failing after close() reports nothing', async () => {
    await observer.create('/races/followed', '');
    const { gate, subject } = await gatedClient();
    const cache = new TreeCache(subject, '/races/followed');
    await cache.start();
    const events = heard(cache, ['initialized', 'nodeAdded', 'nodeUpdated', 'nodeRemoved', 'changed', 'error']);
    // The read of a node the watch reported created.
    const read = gate.hold(on('/races/followed/child', 'get'));
    await observer.create('/races/followed/child', 'x');
    await read.arrived;

    const closing = cache.close();
    const clientClosing = subject.close();
    read.cut();
    await closing;
    await clientClosing;

    expect(events).toEqual([]);
  });

  it('service cache - an instance read answered after close() reports nothing', async () => {
    await observer.create('/races/services', '');
    await observer.create('/races/services/api', '');
    // An instance the serializer cannot read: rebuilding the list would report it.
    await observer.create('/races/services/api/unreadable', 'not json');
    const { gate, subject } = await gatedClient();
    const services = new ServiceCache(subject, '/races/services', 'api', jsonInstanceSerializer());
    const events = heard(services, ['cacheChanged', 'error']);
    const instanceRead = gate.hold(on('/races/services/api/unreadable', 'get'));
    const starting = services.start();
    await instanceRead.arrived;
    // The service node itself was announced before close(); only what follows matters here.
    events.length = 0;

    const closing = services.close();
    instanceRead.release();
    await closing;
    await starting;

    expect(events).toEqual([]);
    await subject.close();
  });

  it.each([
    { held: 'the list of the queue', request: on('/races/queue', 'children') },
    { held: 'the read of the item', request: under('/races/queue', 'get') },
  ])('queue - $held answered after the abort takes no item', async ({ request }) => {
    const items = new DistributedQueue<string>(observer, '/races/queue');
    await items.put('only');
    const { gate, subject } = await gatedClient();
    const consumer = new DistributedQueue<string>(subject, '/races/queue');
    const controller = new AbortController();
    const answer = gate.hold(request);
    const taking = consumer.take({ signal: controller.signal });
    await answer.arrived;

    controller.abort(new Error('consumer gave up'));
    answer.release();

    await expect(taking).rejects.toThrow('consumer gave up');
    expect(await items.poll()).toBe('only');
    await subject.close();
  });

  it('double barrier - a member count answered after the abort does not enter', async () => {
    const { gate, subject } = await gatedClient();
    const barrier = new DoubleBarrier(subject, '/races/double', 1, { id: 'm1' });
    const controller = new AbortController();
    // The count of members that decides whether this one completes the barrier.
    const count = gate.hold(on('/races/double', 'children'));
    const entering = barrier.enter({ signal: controller.signal });
    await count.arrived;

    controller.abort(new Error('member gave up'));
    count.release();

    await expect(entering).rejects.toThrow('member gave up');
    expect(await observer.children('/races/double', { linearizable: true })).toEqual([]);
    await subject.close();
  });
});
