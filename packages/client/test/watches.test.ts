// Goal: one-shot watches fire exactly once (callbacks and the client's 'watch' event, for get,
// exists and children), persistent and recursive watch streams deliver every event in order
// until closed, and a watch event reaches user code before the result of a later request that
// reflects the change; a turn watch fires `turn` once no node ahead is left (at once if none is)
// and `deleted` if its node goes first, and reaches neither persistent streams nor the others.
// Method: one real single-member server; a watching client and a writing client over real
// WebSockets; events collected and compared with the writes made.

import type { KeelServer } from '@keel/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type KeelClient, type WatchedEvent } from '../src/index';
import { startSingle, tempDir, waitFor } from './harness';

describe('client watches', () => {
  let server: KeelServer;
  let cleanup: () => Promise<void>;
  let watcher: KeelClient;
  let writer: KeelClient;

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    server = await startSingle(temp.dir);
    watcher = await connect({ servers: [server.clientUrl] });
    writer = await connect({ servers: [server.clientUrl] });
  });

  afterAll(async () => {
    await watcher?.close();
    await writer?.close();
    await server?.stop();
    await cleanup?.();
  });

  it('fires a one-shot data watch once, for the first change only', async () => {
    await writer.create('/once', 'a');
    const events: WatchedEvent[] = [];
    await watcher.get('/once', { watch: (event) => events.push(event) });
    await writer.set('/once', 'b');
    await writer.set('/once', 'c');
    // The watcher's own read after the writes comes after the event on its connection.
    await watcher.sync('/once');
    await watcher.get('/once');
    expect(events).toEqual([{ type: 'dataChanged', path: '/once', revision: expect.any(Number) }]);
  });

  it('fires exists watches on creation and children watches on a new child', async () => {
    const events: WatchedEvent[] = [];
    const record = (event: WatchedEvent) => events.push(event);
    expect(await watcher.exists('/later', { watch: record })).toBeNull();
    await writer.create('/later');
    await watcher.children('/later', { watch: record });
    await writer.create('/later/kid');
    await writer.create('/later/kid2');
    await waitFor('two events', () => events.length >= 2);
    await watcher.sync('/');
    expect(events.map((event) => [event.type, event.path])).toEqual([
      ['created', '/later'],
      ['childrenChanged', '/later'],
    ]);
  });

  it('sends watch: true events to the client watch listeners, once per callback', async () => {
    await writer.create('/default', 'x');
    const events: WatchedEvent[] = [];
    const listener = (event: WatchedEvent) => events.push(event);
    watcher.on('watch', listener);
    await watcher.get('/default', { watch: true });
    await watcher.exists('/default', { watch: true });
    await writer.delete('/default');
    await waitFor('the event', () => events.length >= 1);
    await watcher.sync('/');
    watcher.off('watch', listener);
    // One default watcher: deduplicated across the data and exists watches, as in ZooKeeper.
    expect(events.map((event) => event.type)).toEqual(['deleted']);
  });

  it('delivers a watch event before the answer of a later request that reflects it', async () => {
    await writer.create('/order', '0');
    const seen: string[] = [];
    await watcher.get('/order', { watch: () => seen.push('event') });
    // The watcher's own write: its connection gets the event (sent on apply) before the answer.
    await watcher.set('/order', '1').then(() => seen.push('answer'));
    expect(seen).toEqual(['event', 'answer']);
  });

  it('streams every event of a persistent watch until closed', async () => {
    await writer.create('/p', '');
    const stream = watcher.watch('/p');
    await stream.ready;
    await writer.set('/p', '1');
    await writer.create('/p/child');
    await writer.set('/p/child', 'not seen: not recursive');
    await writer.delete('/p/child');
    await writer.delete('/p');
    const events: string[] = [];
    for await (const event of stream) {
      events.push(`${event.type} ${event.path}`);
      if (event.type === 'deleted') break; // break closes the stream
    }
    expect(events).toEqual(['dataChanged /p', 'childrenChanged /p', 'childrenChanged /p', 'deleted /p']);
    expect(stream.closed).toBe(true);
    await waitFor('the member to drop the watch', () => server.watchCount === 0);
  });

  it('streams created, deleted and dataChanged below a recursive watch', async () => {
    await writer.create('/r', '');
    const stream = watcher.watch('/r', { recursive: true });
    const second = watcher.watch('/r', { recursive: true });
    await Promise.all([stream.ready, second.ready]);
    await writer.create('/r/a', '1');
    await writer.create('/r/a/b', '2');
    await writer.set('/r/a/b', '3');
    await writer.delete('/r/a/b');
    await writer.set('/r', 'top');
    const expected = ['created /r/a', 'created /r/a/b', 'dataChanged /r/a/b', 'deleted /r/a/b', 'dataChanged /r'];
    const events: string[] = [];
    const revisions: number[] = [];
    for await (const event of stream) {
      events.push(`${event.type} ${event.path}`);
      revisions.push(event.revision);
      if (events.length === expected.length) break;
    }
    expect(events).toEqual(expected);
    expect([...revisions].sort((a, b) => a - b)).toEqual(revisions);
    // The other stream on the same path got the same events and still runs after the first closed.
    const others: string[] = [];
    for await (const event of second) {
      others.push(`${event.type} ${event.path}`);
      if (others.length === expected.length) break;
    }
    expect(others).toEqual(expected);
    await waitFor('the member to drop the watch', () => server.watchCount === 0);
  });

  it('refuses a second iteration of one stream and ends streams on close', async () => {
    const stream = watcher.watch('/');
    await stream.ready;
    const iterator = stream[Symbol.asyncIterator]();
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/only once/);
    const pending = iterator.next();
    await stream.close();
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  it('reports a throwing callback as an error event and still fires the other callbacks', async () => {
    await writer.create('/throws', 'a');
    const errors: unknown[] = [];
    const fired: string[] = [];
    watcher.on('error', (error) => errors.push(error));
    await watcher.get('/throws', {
      watch: () => {
        throw new Error('bad callback');
      },
    });
    await watcher.exists('/throws', { watch: (event) => fired.push(event.type) });
    await watcher.set('/throws', 'b');
    watcher.removeAllListeners('error');
    expect(fired).toEqual(['dataChanged']);
    expect(errors).toEqual([new Error('bad callback')]);
  });

  it('fires a turn watch once no sequential node is ahead, at once when none is, and deleted when its node goes', async () => {
    await writer.create('/queue');
    const first = await writer.create('/queue/n-', '', { mode: 'persistent_sequential' });
    const second = await writer.create('/queue/n-', '', { mode: 'persistent_sequential' });
    const third = await writer.create('/queue/n-', '', { mode: 'persistent_sequential' });
    const stream = watcher.watch('/queue', { recursive: true });
    await stream.ready;
    const events: WatchedEvent[] = [];
    const record = (event: WatchedEvent) => events.push(event);
    await watcher.watchTurn(first, record);
    await watcher.watchTurn(third, record);
    await watcher.sync('/');
    expect(events.map((event) => `${event.type} ${event.path}`)).toEqual([`turn ${first}`]);
    await writer.delete(first);
    await watcher.watchTurn(second, record);
    await writer.delete(third);
    await watcher.sync('/');
    expect(events.map((event) => `${event.type} ${event.path}`)).toEqual([
      `turn ${first}`,
      `turn ${second}`,
      `deleted ${third}`,
    ]);
    // The stream saw the two deletions, and no turn.
    const streamed: string[] = [];
    for await (const event of stream) {
      streamed.push(`${event.type} ${event.path}`);
      if (streamed.length === 2) break;
    }
    expect(streamed).toEqual([`deleted ${first}`, `deleted ${third}`]);
  });

  it('leaves a turn watch with a create, registered before the event that may follow the answer', async () => {
    await writer.create('/cq');
    const events: WatchedEvent[] = [];
    const record = (event: WatchedEvent) => events.push(event);
    const first = await watcher.create('/cq/n-', undefined, { mode: 'ephemeral_sequential', watchTurn: record });
    const second = await watcher.create('/cq/n-', undefined, { mode: 'ephemeral_sequential', watchTurn: record });
    await watcher.sync('/');
    expect(events.map((event) => `${event.type} ${event.path}`)).toEqual([`turn ${first}`]);
    await watcher.delete(first);
    await watcher.sync('/');
    expect(events.map((event) => `${event.type} ${event.path}`)).toEqual([`turn ${first}`, `turn ${second}`]);
    await expect(
      watcher.create('/cq/plain', undefined, { mode: 'persistent', watchTurn: record }),
    ).rejects.toMatchObject({ code: 'BadArguments', message: expect.stringMatching(/sequential/) });
    expect(await writer.exists('/cq/plain')).toBeNull();
  });

  it('refuses a turn watch on a missing node or a name without a sequence number', async () => {
    await writer.create('/plain');
    await expect(watcher.watchTurn('/plain', () => {})).rejects.toMatchObject({ code: 'BadArguments' });
    await expect(watcher.watchTurn('/gone-0000000001', () => {})).rejects.toMatchObject({ code: 'NoNode' });
  });

  it('fails a stream the member refuses', async () => {
    const stream = watcher.watch('no-slash');
    await expect(stream.ready).rejects.toMatchObject({ code: 'BadArguments' });
    await expect(stream.next()).rejects.toMatchObject({ code: 'BadArguments' });
  });
});
