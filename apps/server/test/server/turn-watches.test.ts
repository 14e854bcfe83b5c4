// Goal: a turn watch (addWatch kind `turn`) fires `turn` on a sequential node exactly when no
// sibling with a lower sequence number is left (at once when none is; after the deletion that
// leaves it lowest, whoever deletes, a session close included), orders by sequence number and
// not by name, ignores siblings without a sequence number, fires `deleted` when its own node
// goes, and refuses a missing node (NoNode) or a name without a sequence number (BadArguments).
// Method: a real single-node member (durable log in a temp dir, 127.0.0.1) and raw `ws` clients:
// `waiter` leaves turn watches, `writer` creates and deletes. A plain read on the waiter after
// the writes acts as a barrier: events are sent when an entry applies, before that answer.
import type { CreateMode } from '@keel/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytes, RawClient, useSingle } from './harness';

describe('KeelServer turn watches', () => {
  const member = useSingle();
  let waiter: RawClient;
  let writer: RawClient;
  // One directory per test: the member is shared.
  let dir = '';
  let dirs = 0;

  beforeEach(async () => {
    waiter = (await RawClient.connect(member.server.clientUrl)).client;
    writer = (await RawClient.connect(member.server.clientUrl)).client;
    dir = `/lk${++dirs}`;
    await create(writer, dir);
  });

  afterEach(async () => {
    await waiter.close();
    await writer.close();
  });

  const create = async (client: RawClient, path: string, mode: CreateMode = 'persistent') =>
    (await client.expect({ op: 'create', xid: 0, path, data: bytes(''), mode }, 'create')).path;
  const queue = (client: RawClient, prefix = 'n-', mode: CreateMode = 'persistent_sequential') =>
    create(client, `${dir}/${prefix}`, mode === 'persistent' ? 'persistent_sequential' : mode);
  const remove = (client: RawClient, path: string) => client.expect({ op: 'delete', xid: 0, path }, 'delete');
  const turnWatch = (client: RawClient, path: string) => client.request({ op: 'addWatch', xid: 0, path, kind: 'turn' });
  const barrier = (client: RawClient) =>
    client.expect({ op: 'exists', xid: 0, path: '/', watch: false, linearizable: false }, 'exists');
  const eventsOf = (client: RawClient) =>
    client.watchEvents().map((event) => ({ event: event.event, path: event.path, revision: event.revision }));

  it('fires at once, right after the answer and at its revision, on the lowest node, and leaves no watch', async () => {
    const first = await queue(writer);
    await queue(writer);
    const answer = await turnWatch(waiter, first);
    expect(answer?.type).toBe('addWatch');
    await barrier(waiter);
    expect(eventsOf(waiter)).toEqual([{ event: 'turn', path: first, revision: answer?.revision }]);
    expect(member.server.watchCount).toBe(0);
  });

  it('fires when the last node ahead is deleted, not before, and once', async () => {
    const [a, b, c] = [await queue(writer), await queue(writer), await queue(writer)];
    expect((await turnWatch(waiter, c))?.type).toBe('addWatch');
    await remove(writer, b);
    await create(writer, `${dir}/config`);
    await queue(writer);
    await barrier(waiter);
    expect(eventsOf(waiter)).toEqual([]);
    const last = await remove(writer, a);
    await remove(writer, c);
    await barrier(waiter);
    expect(eventsOf(waiter)).toEqual([{ event: 'turn', path: c, revision: last.revision }]);
    expect(member.server.watchCount).toBe(0);
  });

  it('orders by sequence number, not by name, and ignores siblings without one', async () => {
    await create(writer, `${dir}/aaa-config`);
    const lower = await queue(writer, '_c_b-lock-');
    // Sorts before `lower` by name, but its number is higher.
    const higher = await queue(writer, '_c_a-lock-');
    expect((await turnWatch(waiter, lower))?.type).toBe('addWatch');
    expect((await turnWatch(waiter, higher))?.type).toBe('addWatch');
    await barrier(waiter);
    expect(eventsOf(waiter).map((event) => `${event.event} ${event.path}`)).toEqual([`turn ${lower}`]);
    await remove(writer, lower);
    await barrier(waiter);
    expect(eventsOf(waiter).map((event) => `${event.event} ${event.path}`)).toEqual([
      `turn ${lower}`,
      `turn ${higher}`,
    ]);
  });

  it('fires when a session close deletes the ephemeral node ahead', async () => {
    const holder = (await RawClient.connect(member.server.clientUrl)).client;
    try {
      const held = await queue(holder, 'lock-', 'ephemeral_sequential');
      const mine = await queue(waiter, 'lock-', 'ephemeral_sequential');
      await turnWatch(waiter, mine);
      const closed = await holder.expect({ op: 'closeSession', xid: 0 }, 'closeSession');
      await barrier(waiter);
      expect(eventsOf(waiter)).toEqual([{ event: 'turn', path: mine, revision: closed.revision }]);
      expect(held).not.toBe(mine);
    } finally {
      await holder.close();
    }
  });

  it('fires deleted when the watched node itself goes first', async () => {
    await queue(writer);
    const mine = await queue(writer);
    await turnWatch(waiter, mine);
    const gone = await remove(writer, mine);
    await barrier(waiter);
    expect(eventsOf(waiter)).toEqual([{ event: 'deleted', path: mine, revision: gone.revision }]);
    expect(member.server.watchCount).toBe(0);
  });

  it('leaves one with a create (watchTurn): fired right after the answer when first, else at the deletion ahead', async () => {
    const createTurn = (client: RawClient) =>
      client.expect(
        { op: 'create', xid: 0, path: `${dir}/n-`, data: bytes(''), mode: 'ephemeral_sequential', watchTurn: true },
        'create',
      );
    const first = await createTurn(waiter);
    const second = await createTurn(waiter);
    await barrier(waiter);
    expect(eventsOf(waiter)).toEqual([{ event: 'turn', path: first.path, revision: first.revision }]);
    expect(member.server.watchCount).toBe(1);
    const gone = await remove(writer, first.path);
    await barrier(waiter);
    expect(eventsOf(waiter)).toEqual([
      { event: 'turn', path: first.path, revision: first.revision },
      { event: 'turn', path: second.path, revision: gone.revision },
    ]);
    expect(member.server.watchCount).toBe(0);
  });

  it('refuses a missing node, a name without a sequence number and the root, registering nothing', async () => {
    const missing = await turnWatch(waiter, `${dir}/n-0000000099`);
    expect(missing).toMatchObject({ type: 'error', code: 'NoNode' });
    await create(writer, `${dir}/plain`);
    expect(await turnWatch(waiter, `${dir}/plain`)).toMatchObject({ type: 'error', code: 'BadArguments' });
    expect(await turnWatch(waiter, '/')).toMatchObject({ type: 'error', code: 'BadArguments' });
    expect(member.server.watchCount).toBe(0);
  });
});

describe('KeelServer turn watches left by a create, over the limit', () => {
  const member = useSingle({ watchesPerConnectionMax: 1 });

  it('refuses the create before writing it (TooLarge) and creates nothing', async () => {
    const { client } = await RawClient.connect(member.server.clientUrl);
    try {
      await client.expect({ op: 'create', xid: 0, path: '/q', data: bytes(''), mode: 'persistent' }, 'create');
      const createTurn = () =>
        client.request({
          op: 'create',
          xid: 0,
          path: '/q/n-',
          data: bytes(''),
          mode: 'ephemeral_sequential',
          watchTurn: true,
        });
      await client.expect(
        { op: 'create', xid: 0, path: '/q/x-', data: bytes(''), mode: 'persistent_sequential' },
        'create',
      );
      // Behind x-: this one waits, holding the connection's only watch.
      expect(await createTurn()).toMatchObject({ type: 'create' });
      expect(member.server.watchCount).toBe(1);
      expect(await createTurn()).toMatchObject({ type: 'error', code: 'TooLarge' });
      const listed = await client.expect(
        { op: 'children', xid: 0, path: '/q', watch: false, linearizable: false },
        'children',
      );
      expect(listed.children).toHaveLength(2);
    } finally {
      await client.close();
    }
  });
});
