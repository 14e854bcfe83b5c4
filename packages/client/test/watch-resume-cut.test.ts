// Goal: a watch re-registered on a new connection resumes from the revision IT is known complete
// up to, not from the client-wide last-seen revision: when a connection ends right after the
// member's `connected` or `addWatch` answer (the client has seen the newest revision) but before
// the replayed events behind it, the next connection still asks for, and delivers, every change.
// Method: one real single-member server; the watching client reaches it through a real TCP proxy
// that parses the member's WebSocket frames and closes a connection after exactly N of them
// (1: after `connected`; 2: after the `addWatch` answer of the only watch, which the member sends
// in one synchronous step with its replay); a second client writes directly. Fails with the
// client-wide resume revision (the missed changes never arrive; the one-shot watch never fires).

import type { KeelServer } from '@keel/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type KeelClient, type WatchedEvent } from '../src/index';
import { FrameCutProxy } from './frame-cut-proxy';
import { startSingle, tempDir, waitFor } from './harness';

describe('watch resumption across a connection cut inside a replay', () => {
  let server: KeelServer;
  let cleanup: () => Promise<void>;
  let writer: KeelClient;
  let proxy: FrameCutProxy;
  const clients: KeelClient[] = [];

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    server = await startSingle(temp.dir);
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

  async function viaProxy(): Promise<KeelClient> {
    proxy = await FrameCutProxy.start(server.clientUrl);
    const client = await connect({ servers: [proxy.url], backoffMsMin: 10, backoffMsMax: 50 });
    clients.push(client);
    return client;
  }

  /** Cuts the client off, runs `changes`, then lets it reconnect once through a connection cut after `frames`. */
  async function awayThenCut(client: KeelClient, frames: number, changes: () => Promise<void>): Promise<void> {
    proxy.refuse = true;
    proxy.cut();
    await waitFor('suspended', () => client.state === 'suspended');
    await changes();
    proxy.cutAfterFrames(frames);
    proxy.refuse = false;
    await waitFor('the cut connection', () => proxy.framesCuts === 1);
    await waitFor('reconnected', () => client.state === 'reconnected' && client.connected);
  }

  for (const [frames, after] of [
    [2, 'the addWatch answer'],
    [1, 'the connected answer'],
  ] as const) {
    it(`replays a persistent watch's missed changes after a cut right after ${after}`, async () => {
      const base = `/pw${frames}`;
      await writer.create(base, '');
      const client = await viaProxy();
      const stream = client.watch(base, { recursive: true });
      await stream.ready;
      await writer.create(`${base}/before`);

      await awayThenCut(client, frames, async () => {
        await writer.create(`${base}/away-1`);
        await writer.set(`${base}/away-1`, 'x');
        await writer.create(`${base}/away-2`);
      });
      await writer.create(`${base}/after`);

      const events: string[] = [];
      for await (const event of stream) {
        events.push(`${event.type} ${event.path}`);
        if (event.path === `${base}/after`) break;
      }
      expect(events).toEqual([
        `created ${base}/before`,
        `created ${base}/away-1`,
        `dataChanged ${base}/away-1`,
        `created ${base}/away-2`,
        `created ${base}/after`,
      ]);
    });
  }

  it('fires a one-shot watch for a change made while away, after a cut right after its addWatch answer', async () => {
    await writer.create('/once', 'a');
    const client = await viaProxy();
    const events: WatchedEvent[] = [];
    await client.get('/once', { watch: (event) => events.push(event) });

    await awayThenCut(client, 2, async () => {
      await writer.set('/once', 'b');
    });
    await waitFor('the watch to fire', () => events.length > 0, 10_000);
    expect(events.map((event) => `${event.type} ${event.path}`)).toEqual(['dataChanged /once']);
  });
});
