// Goal: bad frames never crash the member nor go unanswered: each one gets a typed error
// answer or a close with a reason, and valid requests keep working afterwards.
// Method: 1,000 frames from a seeded PRNG (random bytes, and valid request frames with bytes
// flipped, cut or appended) on a real member; after each, a ping must be answered with pong or
// the connection must have closed (then the client reconnects, resuming its session).
import { encodeRequest, type Request } from '@keel/protocol';
import { mulberry32 } from '@keel/raft';
import { describe, expect, it } from 'vitest';
import { bytes, RawClient, text, useSingle } from './harness';

const prng = mulberry32;

const seeds: readonly Request[] = [
  { op: 'create', xid: 7, path: '/fuzz/a', data: bytes('data'), mode: 'persistent' },
  { op: 'create', xid: 7, path: '/fuzz/s-', data: bytes(''), mode: 'ephemeral_sequential' },
  { op: 'set', xid: 7, path: '/fuzz', data: bytes('x'), expectedVersion: 3 },
  { op: 'delete', xid: 7, path: '/fuzz/a' },
  { op: 'get', xid: 7, path: '/fuzz', watch: false, linearizable: false },
  { op: 'exists', xid: 7, path: '/fuzz/b', watch: false, linearizable: true },
  { op: 'children', xid: 7, path: '/', watch: false, linearizable: false },
  { op: 'sync', xid: 7, path: '/' },
  { op: 'ping', xid: 7 },
  {
    op: 'multi',
    xid: 7,
    ops: [
      { op: 'check', path: '/fuzz', expectedVersion: 0 },
      { op: 'create', path: '/fuzz/m', data: bytes('m'), mode: 'persistent' },
    ],
  },
];

function garbage(random: () => number): Uint8Array {
  const pick = Math.floor(random() * 4);
  if (pick === 0) {
    const frame = new Uint8Array(Math.floor(random() * 64));
    for (let i = 0; i < frame.length; i++) frame[i] = Math.floor(random() * 256);
    return frame;
  }
  const seed = seeds[Math.floor(random() * seeds.length)] as Request;
  const frame = encodeRequest(seed);
  if (pick === 1) {
    const flips = 1 + Math.floor(random() * 3);
    for (let i = 0; i < flips; i++) {
      const at = Math.floor(random() * frame.length);
      frame[at] = (frame[at] ?? 0) ^ (1 << Math.floor(random() * 8));
    }
    return frame;
  }
  if (pick === 2) return frame.subarray(0, Math.floor(random() * frame.length));
  const longer = new Uint8Array(frame.length + 1 + Math.floor(random() * 8));
  longer.set(frame);
  return longer;
}

describe('KeelServer bad input', () => {
  const member = useSingle();

  it('survives 1,000 garbage and mutated frames, answering or closing for each', async () => {
    const random = prng(0x6b65656c);
    let { client, session } = await RawClient.connect(member.server.clientUrl);
    await client.expect({ op: 'create', xid: 0, path: '/fuzz', data: bytes(''), mode: 'persistent' }, 'create');
    let closes = 0;
    let newSessions = 0;
    for (let i = 0; i < 1_000; i++) {
      client.sendRaw(garbage(random));
      const pong = await client.request({ op: 'ping', xid: 1_000_000 + i });
      if (pong !== null) {
        expect(pong.type).toBe('pong');
        continue;
      }
      closes++;
      const info = client.closeInfo;
      expect(info?.code).toBeGreaterThanOrEqual(1000);
      if (info?.code !== 1000) expect(info?.reason.length).toBeGreaterThan(0);
      // Reconnect: resume the session if it still lives, else start a new one.
      const next = await RawClient.open(member.server.clientUrl);
      const resumed = await next.request({
        op: 'resume',
        xid: 1,
        sessionId: session.sessionId,
        secret: session.secret,
        sessionTimeoutMs: 30_000,
        lastSeenRevision: 0,
        readOnly: false,
      });
      if (resumed?.type === 'connected') {
        client = next;
      } else {
        newSessions++;
        ({ client, session } = await RawClient.connect(member.server.clientUrl));
      }
    }
    // The PRNG must have exercised both paths: closes and in-band answers.
    expect(closes).toBeGreaterThan(0);
    expect(closes).toBeLessThan(1_000);
    expect(member.server.node.status().stopped).toBe(false);
    expect(newSessions).toBeLessThan(closes + 1);

    const created = await client.expect(
      { op: 'create', xid: 0, path: '/after-fuzz', data: bytes('still here'), mode: 'persistent' },
      'create',
    );
    expect(created.stat.version).toBe(0);
    const read = await client.expect(
      { op: 'get', xid: 0, path: '/after-fuzz', watch: false, linearizable: true },
      'get',
    );
    expect(text(read.data)).toBe('still here');
    await client.close();
  });

  it('closes on a text frame with a protocol error', async () => {
    const { client } = await RawClient.connect(member.server.clientUrl);
    client.socket.send('hello');
    const info = await client.closed;
    expect(info.code).toBe(1002);
    expect(info.reason).toContain('binary');
  });

  it('answers a readable but invalid request with a typed error and keeps the connection', async () => {
    const { client } = await RawClient.connect(member.server.clientUrl);
    const frame = encodeRequest({ op: 'get', xid: 42, path: '/ok', watch: false, linearizable: false });
    const longer = new Uint8Array(frame.length + 1);
    longer.set(frame);
    client.sendRaw(longer);
    const answer = await client.next();
    expect(answer).toMatchObject({ type: 'error', xid: 42, code: 'BadArguments' });
    await client.expect({ op: 'ping', xid: 0 }, 'pong');
    await client.close();
  });
});
