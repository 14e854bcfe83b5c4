// Goal: every write acknowledged to a client survives a restart of the member, and sessions
// (replicated) survive it too.
// Method: a real single-node member writes through a raw client, is stopped, and a new member
// is started on the same data directory (new ports); the state is read back over the wire.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytes, RawClient, startSingle, text, useSingle } from './harness';

describe('KeelServer restart', () => {
  const member = useSingle();

  it('keeps acknowledged writes and sessions across a restart', async () => {
    const first = member.server;
    const { client, session } = await RawClient.connect(first.clientUrl);
    await client.expect({ op: 'create', xid: 0, path: '/kept', data: bytes('0'), mode: 'persistent' }, 'create');
    let last = 0;
    for (let i = 1; i <= 20; i++) {
      const set = await client.expect(
        { op: 'set', xid: 0, path: '/kept', data: bytes(String(i)), expectedVersion: i - 1 },
        'set',
      );
      last = set.revision;
    }
    await client.expect({ op: 'create', xid: 0, path: '/kept/child', data: bytes('c'), mode: 'persistent' }, 'create');
    await client.expect({ op: 'delete', xid: 0, path: '/kept/child' }, 'delete');
    await first.stop();
    expect((await client.closed).code).toBe(4002);

    // Same id and data directory; in the first's place, so the fixture stops it.
    const second = await startSingle(join(member.dir, first.id), { id: first.id });
    member.servers[0] = second;
    expect(second.machine.appliedRevision).toBeGreaterThan(last);
    const resumed = await RawClient.open(second.clientUrl);
    const connected = await resumed.expect(
      {
        op: 'resume',
        xid: 1,
        sessionId: session.sessionId,
        secret: session.secret,
        sessionTimeoutMs: 30_000,
        lastSeenRevision: last,
        readOnly: false,
      },
      'connected',
    );
    expect(connected.resumed).toBe(true);
    const read = await resumed.expect({ op: 'get', xid: 0, path: '/kept', watch: false, linearizable: false }, 'get');
    expect(text(read.data)).toBe('20');
    expect(read.stat.version).toBe(20);
    const child = await resumed.expect(
      { op: 'exists', xid: 0, path: '/kept/child', watch: false, linearizable: false },
      'exists',
    );
    expect(child.stat).toBeNull();
    await resumed.close();
  });
});
