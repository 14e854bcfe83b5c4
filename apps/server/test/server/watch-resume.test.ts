// Goal: a watch re-registered with `sinceRevision` gets every event it missed, in order, with
// no gap and no duplicate, while the member's window of recent changes reaches back that far;
// a one-shot kind fires at most once; beyond the window the client gets `resyncNeeded`, never
// silence; and a connection cannot hold more watches than its limit (`TooLarge`).
// Method: real single-node members (durable log in a temp dir, 127.0.0.1), one with a tiny
// window, and raw `ws` clients. A writer changes the tree while no watch exists (the watcher's
// "reconnect" gap), then the watcher adds its watch with the revision it had seen; a plain read
// after later writes is the barrier after which every event is in `watcher.received`.
import { describe, expect, it } from 'vitest';
import { bytes, RawClient, useSingle } from './harness';

describe('KeelServer watch resumption', () => {
  const member = useSingle({ watchesPerConnectionMax: 3 });
  const small = useSingle({ changeWindowRevisions: 5 });

  const create = (client: RawClient, path: string, data = '') =>
    client.expect({ op: 'create', xid: 0, path, data: bytes(data), mode: 'persistent' }, 'create');
  const set = (client: RawClient, path: string, data: string) =>
    client.expect({ op: 'set', xid: 0, path, data: bytes(data) }, 'set');
  const barrier = (client: RawClient) =>
    client.expect({ op: 'exists', xid: 0, path: '/', watch: false, linearizable: false }, 'exists');
  const eventsOf = (client: RawClient) =>
    client.watchEvents().map((event) => `${event.event} ${event.path}@${event.revision}`);

  it('replays what a persistent watch missed, then continues live without a duplicate', async () => {
    const { client: writer } = await RawClient.connect(member.server.clientUrl);
    const seen = await create(writer, '/p', 'v0');
    const missed1 = await set(writer, '/p', 'v1');
    const child = await create(writer, '/p/c');
    const missed2 = await set(writer, '/p', 'v2');
    const { client: watcher } = await RawClient.connect(member.server.clientUrl);
    const added = await watcher.expect(
      { op: 'addWatch', xid: 0, path: '/p', kind: 'persistent', sinceRevision: seen.revision },
      'addWatch',
    );
    // The answer comes first, the missed events follow it in the same step.
    expect(added.revision).toBeGreaterThanOrEqual(missed2.revision);
    const live = await set(writer, '/p', 'v3');
    await barrier(watcher);
    expect(eventsOf(watcher)).toEqual([
      `dataChanged /p@${missed1.revision}`,
      `childrenChanged /p@${child.revision}`,
      `dataChanged /p@${missed2.revision}`,
      `dataChanged /p@${live.revision}`,
    ]);
    await watcher.close();
    await writer.close();
  });

  it('replays below a recursive watch, and nothing for a revision already seen', async () => {
    const { client: writer } = await RawClient.connect(member.server.clientUrl);
    const seen = await create(writer, '/r');
    const a = await create(writer, '/r/a');
    const b = await create(writer, '/r/a/b', 'x');
    await create(writer, '/other');
    const { client: watcher } = await RawClient.connect(member.server.clientUrl);
    await watcher.expect(
      { op: 'addWatch', xid: 0, path: '/r', kind: 'persistentRecursive', sinceRevision: seen.revision },
      'addWatch',
    );
    const { client: upToDate } = await RawClient.connect(member.server.clientUrl);
    await upToDate.expect(
      { op: 'addWatch', xid: 0, path: '/r', kind: 'persistentRecursive', sinceRevision: b.revision },
      'addWatch',
    );
    await barrier(watcher);
    await barrier(upToDate);
    expect(eventsOf(watcher)).toEqual([`created /r/a@${a.revision}`, `created /r/a/b@${b.revision}`]);
    expect(eventsOf(upToDate)).toEqual([]);
    for (const client of [watcher, upToDate, writer]) await client.close();
  });

  it('fires a one-shot watch for the first missed change only, and leaves it spent', async () => {
    const { client: writer } = await RawClient.connect(member.server.clientUrl);
    const seen = await create(writer, '/once', 'v0');
    const first = await set(writer, '/once', 'v1');
    await set(writer, '/once', 'v2');
    const { client: watcher } = await RawClient.connect(member.server.clientUrl);
    await watcher.expect(
      { op: 'addWatch', xid: 0, path: '/once', kind: 'data', sinceRevision: seen.revision },
      'addWatch',
    );
    await set(writer, '/once', 'v3');
    await barrier(watcher);
    expect(eventsOf(watcher)).toEqual([`dataChanged /once@${first.revision}`]);
    expect(member.server.watchCount).toBe(0);
    // With nothing missed, the one-shot watch stays registered and fires on the next change.
    const now = await barrier(watcher);
    await watcher.expect(
      { op: 'addWatch', xid: 0, path: '/once', kind: 'data', sinceRevision: now.revision },
      'addWatch',
    );
    const next = await set(writer, '/once', 'v4');
    await barrier(watcher);
    expect(eventsOf(watcher)).toEqual([`dataChanged /once@${first.revision}`, `dataChanged /once@${next.revision}`]);
    await watcher.close();
    await writer.close();
  });

  it('answers resyncNeeded when the window no longer reaches back, then continues live', async () => {
    const { client: writer } = await RawClient.connect(small.server.clientUrl);
    const seen = await create(writer, '/far', 'v0');
    for (let i = 0; i < 8; i++) await set(writer, '/far', `v${i + 1}`);
    const { client: watcher } = await RawClient.connect(small.server.clientUrl);
    const added = await watcher.expect(
      { op: 'addWatch', xid: 0, path: '/far', kind: 'persistent', sinceRevision: seen.revision },
      'addWatch',
    );
    const live = await set(writer, '/far', 'live');
    await barrier(watcher);
    expect(watcher.watchEvents()).toEqual([
      { type: 'watch', event: 'resyncNeeded', path: '/far', kind: 'persistent', revision: added.revision },
      { type: 'watch', event: 'dataChanged', path: '/far', revision: live.revision },
    ]);
    expect(small.server.changes.completeAfter).toBeGreaterThan(seen.revision);
    await watcher.close();
    await writer.close();
  });

  it('refuses a watch over the per-connection limit with TooLarge, and a read with watch too', async () => {
    const { client } = await RawClient.connect(member.server.clientUrl);
    for (const path of ['/w1', '/w2', '/w3']) {
      await client.expect({ op: 'addWatch', xid: 0, path, kind: 'persistent' }, 'addWatch');
    }
    // Registering a watch it already holds adds nothing, so it is not refused.
    await client.expect({ op: 'addWatch', xid: 0, path: '/w1', kind: 'persistent' }, 'addWatch');
    const over = await client.expect({ op: 'addWatch', xid: 0, path: '/w4', kind: 'persistent' }, 'error');
    expect(over.code).toBe('TooLarge');
    const read = await client.expect({ op: 'exists', xid: 0, path: '/w4', watch: true, linearizable: false }, 'error');
    expect(read.code).toBe('TooLarge');
    await client.expect({ op: 'removeWatch', xid: 0, path: '/w2', kind: 'persistent' }, 'removeWatch');
    await client.expect({ op: 'exists', xid: 0, path: '/w4', watch: true, linearizable: false }, 'exists');
    await client.close();
  });
});
