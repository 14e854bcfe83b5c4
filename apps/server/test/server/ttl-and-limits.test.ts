// Goal: the leader removes TTL nodes whose TTL ran out (a childless one goes, one with children
// stays), and the limits of DESIGN §6 are enforced with typed answers: node data size and
// request size (`TooLarge`, the connection stays usable), pending requests per connection
// (`Throttled`) and connections per client address (`Throttled`, then closed).
// Method: real single-node members with small limits and a fast TTL check; raw `ws` clients.
import { closeCodes, encodeRequest } from '@keel/protocol';
import { describe, expect, it } from 'vitest';
import { bytes, RawClient, useSingle, waitFor } from './harness';

describe('KeelServer TTL sweeps and limits', () => {
  const member = useSingle({
    ttlCheckMs: 20,
    dataBytesMax: 1000,
    requestBytesMax: 64 * 1024,
    pendingRequestsMax: 8,
    sessionsPerAddressMax: 4,
  });

  const exists = async (client: RawClient, path: string) =>
    (await client.expect({ op: 'exists', xid: 0, path, watch: false, linearizable: false }, 'exists')).stat !== null;

  it('sweeps a childless TTL node after its TTL and keeps one that has children', async () => {
    const { client } = await RawClient.connect(member.server.clientUrl);
    await client.expect(
      { op: 'create', xid: 0, path: '/ttl-alone', data: bytes(''), mode: 'persistent_ttl', ttlMs: 200 },
      'create',
    );
    await client.expect(
      { op: 'create', xid: 0, path: '/ttl-parent', data: bytes(''), mode: 'persistent_ttl', ttlMs: 200 },
      'create',
    );
    await client.expect(
      { op: 'create', xid: 0, path: '/ttl-parent/child', data: bytes(''), mode: 'persistent' },
      'create',
    );
    await waitFor('the childless TTL node to be swept', async () => !(await exists(client, '/ttl-alone')), 30_000);
    // Both TTLs ran out together; the sweep that removed one passed over the other.
    expect(await exists(client, '/ttl-parent')).toBe(true);
    expect(member.server.machine.ttlCandidates(Date.now())).toEqual([]);
    await client.close();
  });

  it('refuses node data over dataBytesMax and a frame over requestBytesMax with TooLarge', async () => {
    const { client } = await RawClient.connect(member.server.clientUrl);
    const data = await client.expect(
      { op: 'create', xid: 0, path: '/big', data: new Uint8Array(1001), mode: 'persistent' },
      'error',
    );
    expect(data.code).toBe('TooLarge');
    await client.expect(
      { op: 'create', xid: 0, path: '/big', data: new Uint8Array(1000), mode: 'persistent' },
      'create',
    );
    const xid = client.xid();
    const frame = encodeRequest({ op: 'sync', xid, path: `/${'p'.repeat(100)}` });
    const oversized = new Uint8Array(70 * 1024);
    oversized.set(frame);
    client.sendRaw(oversized);
    // Over the socket's payload limit: ws closes the connection as too big.
    const closed = await client.closed;
    expect(closed.code).toBe(closeCodes.frameTooLarge);
  });

  it('answers Throttled beyond pendingRequestsMax, in order, and serves the rest', async () => {
    const { client } = await RawClient.connect(member.server.clientUrl);
    const xids: number[] = [];
    for (let i = 0; i < 40; i++) {
      const xid = client.xid();
      xids.push(xid);
      client.sendRaw(encodeRequest({ op: 'set', xid, path: '/big', data: bytes(String(i)) }));
    }
    const answers = [];
    while (answers.length < xids.length) {
      const message = await client.next();
      if (message === null) throw new Error('closed');
      if ('xid' in message) answers.push(message);
    }
    expect(answers.map((answer) => answer.xid)).toEqual(xids);
    const throttled = answers.filter((answer) => answer.type === 'error' && answer.code === 'Throttled').length;
    expect(throttled).toBeGreaterThan(0);
    expect(answers.filter((answer) => answer.type === 'set').length).toBe(40 - throttled);
    await client.close();
  });

  it('refuses connections beyond sessionsPerAddressMax with Throttled and a close', async () => {
    const clients = [];
    for (let i = 0; i < 4; i++) clients.push((await RawClient.connect(member.server.clientUrl)).client);
    const extra = await RawClient.open(member.server.clientUrl);
    const refused = await extra.request({
      op: 'connect',
      xid: 1,
      sessionTimeoutMs: 30_000,
      lastSeenRevision: 0,
      readOnly: false,
    });
    expect(refused).toMatchObject({ type: 'error', code: 'Throttled' });
    expect((await extra.closed).code).toBe(closeCodes.throttled);
    await clients.pop()?.close();
    await waitFor(
      'a free connection slot',
      async () => {
        const next = await RawClient.open(member.server.clientUrl);
        const answer = await next.request({
          op: 'connect',
          xid: 1,
          sessionTimeoutMs: 30_000,
          lastSeenRevision: 0,
          readOnly: false,
        });
        await next.close();
        return answer?.type === 'connected';
      },
      10_000,
    );
    for (const client of clients) await client.close();
  });
});
