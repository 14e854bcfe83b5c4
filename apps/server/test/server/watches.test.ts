// Goal: watches on one member follow ZooKeeper's semantics: one-shot data / exists / child
// watches fire exactly once, persistent and persistent-recursive watches see every change in
// order until removed, a watch event reaches its connection before any later answer that
// reflects the change, and removeWatch or closing the connection stops the events.
// Method: a real single-node member (durable log in a temp dir, 127.0.0.1) and two raw `ws`
// clients: `watcher` leaves watches, `writer` changes the tree from another connection. A
// plain read on the watcher after the writes acts as a barrier: events are sent when an entry
// is applied, so every event the writes caused is in `watcher.received` before that answer.
import type { Request, ServerMessage } from '@keel/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytes, RawClient, text, useSingle, waitFor } from './harness';

describe('KeelServer watches', () => {
  const member = useSingle();
  let watcher: RawClient;
  let writer: RawClient;

  beforeEach(async () => {
    watcher = (await RawClient.connect(member.server.clientUrl)).client;
    writer = (await RawClient.connect(member.server.clientUrl)).client;
  });

  afterEach(async () => {
    await watcher.close();
    await writer.close();
  });

  const create = (client: RawClient, path: string, data = '') =>
    client.expect({ op: 'create', xid: 0, path, data: bytes(data), mode: 'persistent' }, 'create');
  const set = (client: RawClient, path: string, data: string) =>
    client.expect({ op: 'set', xid: 0, path, data: bytes(data) }, 'set');
  const remove = (client: RawClient, path: string) => client.expect({ op: 'delete', xid: 0, path }, 'delete');
  const barrier = (client: RawClient) =>
    client.expect({ op: 'exists', xid: 0, path: '/', watch: false, linearizable: false }, 'exists');
  const eventsOf = (client: RawClient) =>
    client.watchEvents().map((event) => ({ event: event.event, path: event.path, revision: event.revision }));

  it('a data watch set by get fires exactly once for two sets', async () => {
    await create(writer, '/data', 'v0');
    const read = await watcher.expect({ op: 'get', xid: 0, path: '/data', watch: true, linearizable: false }, 'get');
    expect(text(read.data)).toBe('v0');
    const first = await set(writer, '/data', 'v1');
    await set(writer, '/data', 'v2');
    await barrier(watcher);
    expect(eventsOf(watcher)).toEqual([{ event: 'dataChanged', path: '/data', revision: first.revision }]);
    expect(member.server.watchCount).toBe(0);
  });

  it('get on a missing node leaves no watch (NoNode), as in ZooKeeper', async () => {
    const missing = await watcher.expect(
      { op: 'get', xid: 0, path: '/never', watch: true, linearizable: false },
      'error',
    );
    expect(missing.code).toBe('NoNode');
    await create(writer, '/never');
    await barrier(watcher);
    expect(eventsOf(watcher)).toEqual([]);
  });

  it('an exists watch on a missing node fires on its creation, once', async () => {
    const before = await watcher.expect(
      { op: 'exists', xid: 0, path: '/later', watch: true, linearizable: false },
      'exists',
    );
    expect(before.stat).toBeNull();
    const created = await create(writer, '/later', 'x');
    await set(writer, '/later', 'y');
    await barrier(watcher);
    expect(eventsOf(watcher)).toEqual([{ event: 'created', path: '/later', revision: created.revision }]);
  });

  it('a child watch fires on a child created, a child deleted and the node itself deleted', async () => {
    const childWatch: Request = { op: 'children', xid: 0, path: '/parent', watch: true, linearizable: false };
    await create(writer, '/parent');
    await watcher.expect(childWatch, 'children');
    const childCreated = await create(writer, '/parent/child');
    await set(writer, '/parent/child', 'not a child change');
    await barrier(watcher);
    await watcher.expect(childWatch, 'children');
    const childDeleted = await remove(writer, '/parent/child');
    await barrier(watcher);
    await watcher.expect(childWatch, 'children');
    const parentDeleted = await remove(writer, '/parent');
    await barrier(watcher);
    expect(eventsOf(watcher)).toEqual([
      { event: 'childrenChanged', path: '/parent', revision: childCreated.revision },
      { event: 'childrenChanged', path: '/parent', revision: childDeleted.revision },
      { event: 'deleted', path: '/parent', revision: parentDeleted.revision },
    ]);
  });

  it('a persistent recursive watch sees every change under its subtree, in order, with rising revisions', async () => {
    await watcher.expect({ op: 'addWatch', xid: 0, path: '/tree', kind: 'persistentRecursive' }, 'addWatch');
    const expected: { event: string; path: string; revision: number }[] = [];
    const note = (event: string, path: string, revision: number) => expected.push({ event, path, revision });
    note('created', '/tree', (await create(writer, '/tree')).revision);
    note('created', '/tree/a', (await create(writer, '/tree/a')).revision);
    await create(writer, '/treehouse'); // a sibling whose name shares the prefix: not below /tree
    note('dataChanged', '/tree/a', (await set(writer, '/tree/a', '1')).revision);
    note('created', '/tree/a/b', (await create(writer, '/tree/a/b')).revision);
    note('dataChanged', '/tree', (await set(writer, '/tree', '2')).revision);
    note('deleted', '/tree/a/b', (await remove(writer, '/tree/a/b')).revision);
    note('deleted', '/tree/a', (await remove(writer, '/tree/a')).revision);
    await barrier(watcher);
    const seen = eventsOf(watcher);
    expect(seen).toEqual(expected);
    for (let i = 1; i < seen.length; i++) expect(seen[i]?.revision).toBeGreaterThan(seen[i - 1]?.revision ?? 0);
    expect(member.server.watchCount).toBe(1);
  });

  it('a persistent watch sees data and child changes of its node until removeWatch', async () => {
    await create(writer, '/p');
    await watcher.expect({ op: 'addWatch', xid: 0, path: '/p', kind: 'persistent' }, 'addWatch');
    const first = await set(writer, '/p', '1');
    const child = await create(writer, '/p/c');
    const second = await set(writer, '/p', '2');
    await barrier(watcher);
    await watcher.expect({ op: 'removeWatch', xid: 0, path: '/p', kind: 'persistent' }, 'removeWatch');
    await set(writer, '/p', '3');
    await remove(writer, '/p/c');
    await barrier(watcher);
    expect(eventsOf(watcher)).toEqual([
      { event: 'dataChanged', path: '/p', revision: first.revision },
      { event: 'childrenChanged', path: '/p', revision: child.revision },
      { event: 'dataChanged', path: '/p', revision: second.revision },
    ]);
    const again = await watcher.expect({ op: 'removeWatch', xid: 0, path: '/p', kind: 'persistent' }, 'error');
    expect(again.code).toBe('NoWatcher');
  });

  it('delivers the watch event before the answer of a later get that sees the new data', async () => {
    await create(writer, '/order', 'old');
    await watcher.expect({ op: 'get', xid: 0, path: '/order', watch: true, linearizable: false }, 'get');
    // The write is in flight while the watcher keeps reading; whichever read first sees the new
    // data must come after the event in the watcher's frames.
    const written = set(writer, '/order', 'new');
    let seenNew: ServerMessage | null = null;
    for (let reads = 0; reads < 10_000 && seenNew === null; reads++) {
      const read = await watcher.expect(
        { op: 'get', xid: 0, path: '/order', watch: false, linearizable: false },
        'get',
      );
      if (text(read.data) === 'new') seenNew = read;
    }
    expect(seenNew).not.toBeNull();
    const eventAt = watcher.received.findIndex((message) => message.type === 'watch');
    const answerAt = watcher.received.indexOf(seenNew as ServerMessage);
    expect(eventAt).toBeGreaterThanOrEqual(0);
    expect(eventAt).toBeLessThan(answerAt);
    expect(watcher.received[eventAt]).toMatchObject({ event: 'dataChanged', revision: (await written).revision });
  });

  it('drops the watches of a connection that closes', async () => {
    await create(writer, '/gone');
    await watcher.expect({ op: 'addWatch', xid: 0, path: '/gone', kind: 'persistentRecursive' }, 'addWatch');
    await watcher.expect({ op: 'exists', xid: 0, path: '/gone', watch: true, linearizable: false }, 'exists');
    expect(member.server.watchCount).toBe(2);
    await watcher.close();
    await waitFor('the watches to be dropped', () => member.server.watchCount === 0, 10_000);
    await set(writer, '/gone', 'after');
  });
});
