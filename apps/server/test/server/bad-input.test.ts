// Goal: DESIGN §6 on a live member: 10,000+ random and mutated frames (garbage, truncated,
// extended, bit-flipped, oversized, unknown ops, wrong enum values, bad paths, semantically
// bad requests) never crash it; every well-formed but bad request gets its typed error, frame
// garbage either gets an answer or closes the connection with a reason, and every write
// acknowledged before and between the bad frames is still there afterwards.
// Method: one real member with small data and request limits; a raw `ws` client. The frames
// come from a seeded PRNG (mulberry32; the seed is in the test name, so a failure replays).
// Typed-error frames go out pipelined in batches and their answers are checked by xid and
// code; each garbage frame is followed by a ping, and the client waits for the pong or the
// close (then reconnects, resuming its session). After every batch one write is acknowledged.
import { type ErrorCode, encodeRequest, type Request, type ServerMessage } from '@keel/protocol';
import { mulberry32 } from '@keel/raft';
import { describe, expect, it } from 'vitest';
import { bytes, RawClient, text, useSingle } from './harness';

const seed = 0x5eed_0bad;
const framesTotal = 10_000;
const dataBytesMax = 1000;
const requestBytesMax = 64 * 1024;
// Garbage often closes the connection and each reconnect is a Raft write: fewer of them per
// batch keeps the test fast while still sending thousands.
const typedPerBatch = 45;
const garbagePerBatch = 15;

/** A well-formed request and the answer it must get. */
interface TypedCase {
  readonly frame: Uint8Array;
  readonly xid: number;
  readonly expect: ErrorCode | 'multiError';
}

const pathMarker = '/zzzz';
// Same length as the marker: each makes the path break one rule of DESIGN §3.
const badPaths = ['//zzz', '/./zz', '/../z', '/zzz/', '/z\u0001zz', 'zzzzz', '/z/./'];

function patchPath(frame: Uint8Array, replacement: string): Uint8Array {
  const marker = bytes(pathMarker);
  const at = Buffer.from(frame).indexOf(Buffer.from(marker));
  if (at < 0) throw new Error('marker not found');
  const patched = frame.slice();
  patched.set(bytes(replacement), at);
  return patched;
}

function typedCase(random: () => number, xid: number): TypedCase {
  const pick = Math.floor(random() * 13);
  const missing = `/missing/${Math.floor(random() * 1e9)}`;
  const read = (op: 'get' | 'children'): Request => ({
    op,
    xid,
    path: missing,
    watch: random() < 0.5,
    linearizable: random() < 0.2,
  });
  switch (pick) {
    case 0:
      return { frame: encodeRequest(read('get')), xid, expect: 'NoNode' };
    case 1:
      return { frame: encodeRequest(read('children')), xid, expect: 'NoNode' };
    case 2:
      return { frame: encodeRequest({ op: 'set', xid, path: missing, data: bytes('x') }), xid, expect: 'NoNode' };
    case 3:
      return { frame: encodeRequest({ op: 'delete', xid, path: missing }), xid, expect: 'NoNode' };
    case 4:
      return {
        frame: encodeRequest({ op: 'create', xid, path: '/base', data: bytes(''), mode: 'persistent' }),
        xid,
        expect: 'NodeExists',
      };
    case 5:
      return {
        frame: encodeRequest({ op: 'set', xid, path: '/base', data: bytes('v'), expectedVersion: 1_000_000 }),
        xid,
        expect: 'BadVersion',
      };
    case 6:
      return { frame: encodeRequest({ op: 'delete', xid, path: '/base' }), xid, expect: 'NotEmpty' };
    case 7:
      return {
        frame: encodeRequest({ op: 'create', xid, path: '/eph/child', data: bytes(''), mode: 'persistent' }),
        xid,
        expect: 'NoChildrenForEphemerals',
      };
    case 8: {
      const request: Request =
        random() < 0.5
          ? { op: 'get', xid, path: pathMarker, watch: false, linearizable: false }
          : { op: 'create', xid, path: pathMarker, data: bytes(''), mode: 'persistent' };
      const bad = badPaths[Math.floor(random() * badPaths.length)] as string;
      return { frame: patchPath(encodeRequest(request), bad), xid, expect: 'BadArguments' };
    }
    case 9: {
      const size = dataBytesMax + 1 + Math.floor(random() * 2000);
      return {
        frame: encodeRequest({ op: 'set', xid, path: '/base', data: new Uint8Array(size) }),
        xid,
        expect: 'TooLarge',
      };
    }
    case 10: {
      // Wrong type: an out-of-range create mode tag (the byte before the absent-TTL flag).
      const frame = encodeRequest({ op: 'create', xid, path: '/base/m', data: bytes(''), mode: 'persistent' });
      frame[frame.length - 2] = 7 + Math.floor(random() * 249);
      return { frame, xid, expect: 'BadArguments' };
    }
    case 11:
      // Values the wire allows but a command does not: a version over 2^31 - 1, a TTL over ten years.
      return random() < 0.5
        ? {
            frame: encodeRequest({ op: 'set', xid, path: '/base', data: bytes(''), expectedVersion: 2 ** 40 }),
            xid,
            expect: 'BadArguments',
          }
        : {
            frame: encodeRequest({
              op: 'create',
              xid,
              path: '/t',
              data: bytes(''),
              mode: 'persistent_ttl',
              ttlMs: 2 ** 50,
            }),
            xid,
            expect: 'BadArguments',
          };
    default:
      return random() < 0.5
        ? {
            frame: encodeRequest({ op: 'removeWatch', xid, path: missing, kind: 'persistent' }),
            xid,
            expect: 'NoWatcher',
          }
        : {
            frame: encodeRequest({
              op: 'multi',
              xid,
              ops: [
                { op: 'create', path: '/base/never', data: bytes(''), mode: 'persistent' },
                { op: 'check', path: missing, expectedVersion: 0 },
              ],
            }),
            xid,
            expect: 'multiError',
          };
  }
}

const mutationSeeds: readonly Request[] = [
  { op: 'create', xid: 7, path: '/fuzz/a', data: bytes('data'), mode: 'persistent' },
  { op: 'create', xid: 7, path: '/fuzz/s-', data: bytes(''), mode: 'ephemeral_sequential' },
  { op: 'set', xid: 7, path: '/fuzz', data: bytes('x'), expectedVersion: 3 },
  { op: 'delete', xid: 7, path: '/fuzz/a' },
  { op: 'get', xid: 7, path: '/fuzz', watch: true, linearizable: false },
  { op: 'children', xid: 7, path: '/', watch: false, linearizable: true },
  { op: 'addWatch', xid: 7, path: '/fuzz', kind: 'persistentRecursive', sinceRevision: 1 },
  { op: 'sync', xid: 7, path: '/' },
  {
    op: 'multi',
    xid: 7,
    ops: [
      { op: 'check', path: '/fuzz', expectedVersion: 0 },
      { op: 'create', path: '/fuzz/m', data: bytes('m'), mode: 'persistent_ttl', ttlMs: 60_000 },
      { op: 'delete', path: '/fuzz/m' },
    ],
  },
];

function garbage(random: () => number): Uint8Array {
  const pick = Math.floor(random() * 6);
  if (pick === 0) {
    const frame = new Uint8Array(Math.floor(random() * 96));
    for (let i = 0; i < frame.length; i++) frame[i] = Math.floor(random() * 256);
    return frame;
  }
  if (pick === 1) {
    // An unknown op: a valid version byte, a tag past the last op.
    return Uint8Array.of(1, 19 + Math.floor(random() * 237), 5);
  }
  if (pick === 2 && random() < 0.05) return new Uint8Array(requestBytesMax + 1 + Math.floor(random() * 1024));
  const frame = encodeRequest(mutationSeeds[Math.floor(random() * mutationSeeds.length)] as Request);
  if (pick === 3) return frame.subarray(0, Math.floor(random() * frame.length));
  if (pick === 4) {
    const longer = new Uint8Array(frame.length + 1 + Math.floor(random() * 8));
    longer.set(frame);
    for (let i = frame.length; i < longer.length; i++) longer[i] = Math.floor(random() * 256);
    return longer;
  }
  const flips = 1 + Math.floor(random() * 3);
  for (let i = 0; i < flips; i++) {
    const at = Math.floor(random() * frame.length);
    frame[at] = (frame[at] ?? 0) ^ (1 << Math.floor(random() * 8));
  }
  return frame;
}

describe('KeelServer bad input at volume', () => {
  const member = useSingle({ dataBytesMax, requestBytesMax });

  it(`survives ${framesTotal} random and mutated frames, seed ${seed}`, async () => {
    const random = mulberry32(seed);
    let { client, session } = await RawClient.connect(member.server.clientUrl);
    let lastSeen = 0;
    const reconnect = async () => {
      client = await RawClient.open(member.server.clientUrl);
      const resumed = await client.request({
        op: 'resume',
        xid: client.xid(),
        sessionId: session.sessionId,
        secret: session.secret,
        sessionTimeoutMs: 30_000,
        lastSeenRevision: lastSeen,
        readOnly: false,
      });
      // A mutated frame may have been a closeSession: then start a new session.
      if (resumed?.type !== 'connected') {
        await client.close();
        ({ client, session } = await RawClient.connect(member.server.clientUrl));
        await client.expect({ op: 'create', xid: 0, path: '/eph', data: bytes(''), mode: 'ephemeral' }, 'create');
      }
    };
    await client.expect({ op: 'create', xid: 0, path: '/base', data: bytes(''), mode: 'persistent' }, 'create');
    await client.expect({ op: 'create', xid: 0, path: '/base/kid', data: bytes(''), mode: 'persistent' }, 'create');
    await client.expect({ op: 'create', xid: 0, path: '/keep', data: bytes(''), mode: 'persistent' }, 'create');
    await client.expect({ op: 'create', xid: 0, path: '/eph', data: bytes(''), mode: 'ephemeral' }, 'create');

    const acknowledged = new Map<string, string>();
    let sent = 0;
    let typedChecked = 0;
    let closes = 0;
    let batch = 0;
    while (sent < framesTotal) {
      batch++;
      // Well-formed but bad requests, pipelined: each answer must be its typed error, in order.
      const cases: TypedCase[] = [];
      for (let i = 0; i < typedPerBatch; i++) cases.push(typedCase(random, client.xid()));
      for (const c of cases) client.sendRaw(c.frame);
      const answers = new Map<number, ServerMessage>();
      while (answers.size < cases.length) {
        const message = await client.next();
        if (message === null) throw new Error(`closed on well-formed requests: ${JSON.stringify(client.closeInfo)}`);
        if ('xid' in message) answers.set(message.xid, message);
        if (message.revision > lastSeen) lastSeen = message.revision;
      }
      for (const c of cases) {
        const answer = answers.get(c.xid);
        if (c.expect === 'multiError') {
          expect(answer?.type).toBe('multi');
          expect(answer?.type === 'multi' && answer.results.some((result) => result.op === 'error')).toBe(true);
        } else {
          expect(answer?.type === 'error' ? answer.code : answer?.type, `frame of batch ${batch}`).toBe(c.expect);
        }
        typedChecked++;
      }
      sent += cases.length;

      // Garbage, one frame at a time: an answer (then a pong) or a close with a reason.
      for (let i = 0; i < garbagePerBatch; i++) {
        client.sendRaw(garbage(random));
        sent++;
        const pingXid = client.xid();
        client.sendRaw(encodeRequest({ op: 'ping', xid: pingXid }));
        for (;;) {
          const message = await client.next();
          if (message === null) {
            expect(client.closeInfo?.code).toBeGreaterThanOrEqual(1000);
            closes++;
            await reconnect();
            break;
          }
          if (message.revision > lastSeen) lastSeen = message.revision;
          if ('xid' in message && message.xid === pingXid && message.type === 'pong') break;
        }
      }

      const path = `/keep/n${batch}`;
      const value = String(random());
      await client.expect({ op: 'create', xid: 0, path, data: bytes(value), mode: 'persistent' }, 'create');
      acknowledged.set(path, value);
    }

    expect(typedChecked).toBeGreaterThan(framesTotal / 3);
    expect(closes).toBeGreaterThan(0);
    const { client: checker } = await RawClient.connect(member.server.clientUrl);
    for (const [path, value] of acknowledged) {
      const read = await checker.expect({ op: 'get', xid: 0, path, watch: false, linearizable: false }, 'get');
      expect(text(read.data)).toBe(value);
    }
    const listing = await checker.expect(
      { op: 'children', xid: 0, path: '/keep', watch: false, linearizable: false },
      'children',
    );
    expect(listing.children.length).toBe(acknowledged.size);
    await checker.close();
    await client.close();
  });
});
