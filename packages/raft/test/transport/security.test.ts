/**
 * Goal: only members that know the cluster secret can deliver messages, and nothing a peer
 * sends (wrong secret, replayed proof, garbage, text, oversized or spoofed frames) crashes a
 * member or stops it from serving good peers.
 * Method: real transports plus a raw `ws` client that speaks the handshake (or deliberately
 * does not); each bad connection must be closed with the documented code, counted in the
 * stats and logged, while a well-behaved member keeps delivering to the same transport.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeBatch } from '../../src/codec';
import type { Message } from '../../src/core/types';
import { peerCloseCodes } from '../../src/transport';
import { closeAll, connectAll, heartbeat, type Member, RawPeer, startMember, waitFor } from './helpers';

afterEach(closeAll);

/** Proves the member still serves good peers: `good` delivers a fresh heartbeat to it. */
async function stillServes(good: Member, member: Member): Promise<void> {
  const before = member.received.length;
  good.transport.send([heartbeat(good.transport.id, member.transport.id, 1000 + before)]);
  await waitFor(() => member.received.length === before + 1, 'delivery from the good peer');
}

describe('transport - authentication', () => {
  it('a member with the wrong secret is refused in both directions and delivers nothing', async () => {
    const a = await startMember('a');
    const b = await startMember('b');
    const intruder = await startMember('c', { clusterSecret: 'not-the-secret' });
    connectAll([a, b, intruder]);
    intruder.transport.send([heartbeat('c', 'b', 1)]);
    b.transport.send([heartbeat('b', 'c', 1)]);
    await waitFor(
      () => b.transport.stats.handshakesFailed >= 2 && intruder.transport.stats.handshakesFailed >= 2,
      'both handshakes to fail on both sides',
    );
    expect(b.received).toEqual([]);
    expect(intruder.received).toEqual([]);
    expect(b.logs.some((line) => line.level === 'warn' && line.fields?.reason === 'bad proof')).toBe(true);
    await stillServes(a, b);
  });

  it('frames before authentication are refused without being decoded', async () => {
    const a = await startMember('a');
    const b = await startMember('b');
    connectAll([a, b]);
    const raw = new RawPeer(b.transport.url!);
    await raw.ready();
    raw.send(encodeBatch([heartbeat('a', 'b', 1)]));
    expect(await raw.closed).toEqual({ code: peerCloseCodes.handshakeFailed, reason: 'expected auth' });
    expect(b.received).toEqual([]);
    await stillServes(a, b);
  });

  it('a text frame before authentication closes with 1003', async () => {
    const b = await startMember('b');
    const raw = new RawPeer(b.transport.url!);
    await raw.ready();
    raw.send('hello?');
    expect((await raw.closed).code).toBe(peerCloseCodes.unsupportedData);
  });

  it('a proof for another member, or a replayed proof, is refused', async () => {
    const b = await startMember('b');
    const wrongMember = new RawPeer(b.transport.url!);
    await expect(wrongMember.authenticate('x', 'not-b')).rejects.toThrow();
    expect(await wrongMember.closed).toEqual({ code: peerCloseCodes.handshakeFailed, reason: 'wrong member' });

    const first = new RawPeer(b.transport.url!);
    await first.ready();
    const { frame } = first.authFrame('x', 'b');
    first.send(frame);
    await waitFor(() => first.incoming.length === 2, 'welcome on the first connection');
    // The same bytes on a connection with a fresh server nonce no longer prove anything.
    const replay = new RawPeer(b.transport.url!);
    await replay.ready();
    replay.send(frame);
    expect(await replay.closed).toEqual({ code: peerCloseCodes.handshakeFailed, reason: 'bad proof' });
    expect(b.transport.stats.inboundConnections).toBe(1);
  });

  it('a peer that never authenticates is closed when the handshake times out', async () => {
    const b = await startMember('b', { handshakeTimeoutMs: 50 });
    const raw = new RawPeer(b.transport.url!);
    await raw.ready();
    expect(await raw.closed).toEqual({ code: peerCloseCodes.handshakeFailed, reason: 'handshake timeout' });
    expect(b.transport.stats.handshakesFailed).toBe(1);
  });

  it('a member dialing an address that answers with another id does not send to it', async () => {
    const a = await startMember('a');
    const impostor = await startMember('c');
    a.transport.setPeers(new Map([['b', impostor.transport.url!]]));
    a.transport.send([heartbeat('a', 'b', 1)]);
    await waitFor(() => a.transport.stats.handshakesFailed >= 1, 'refusal');
    expect(a.transport.stats.messagesSent).toBe(0);
    expect(impostor.received).toEqual([]);
    expect(a.logs.some((line) => String(line.fields?.reason).includes('dialed b but reached c'))).toBe(true);
  });
});

describe('transport - bad frames after authentication', () => {
  it('garbage closes only that connection with 1002; the member keeps serving', async () => {
    const a = await startMember('a');
    const b = await startMember('b');
    connectAll([a, b]);
    await stillServes(a, b);
    const raw = new RawPeer(b.transport.url!);
    await raw.authenticate('x', 'b');
    raw.send(new Uint8Array([1, 1, 7, 0xff, 0xff, 0xff]));
    const closed = await raw.closed;
    expect(closed.code).toBe(peerCloseCodes.protocolError);
    expect(closed.reason.length).toBeGreaterThan(0);
    expect(b.transport.stats.framesRejected).toBe(1);
    await stillServes(a, b);
  });

  it('a text frame after authentication closes with 1003', async () => {
    const b = await startMember('b');
    const raw = new RawPeer(b.transport.url!);
    await raw.authenticate('x', 'b');
    raw.send('{"type":"heartbeat"}');
    expect((await raw.closed).code).toBe(peerCloseCodes.unsupportedData);
  });

  it('a frame over the size limit closes with 1009; the member keeps serving', async () => {
    const a = await startMember('a');
    const b = await startMember('b', { frameBytesMax: 4096 });
    connectAll([a, b]);
    const raw = new RawPeer(b.transport.url!);
    await raw.authenticate('x', 'b');
    raw.send(new Uint8Array(5000));
    expect((await raw.closed).code).toBe(1009);
    await stillServes(a, b);
  });

  it('messages with a spoofed `from` or a foreign `to` are dropped; the rest of the frame is delivered', async () => {
    const b = await startMember('b');
    const raw = new RawPeer(b.transport.url!);
    await raw.authenticate('x', 'b');
    const honest: Message = heartbeat('x', 'b', 3);
    raw.send(encodeBatch([heartbeat('a', 'b', 1), heartbeat('x', 'c', 2), honest]));
    await waitFor(() => b.received.length >= 1, 'the honest message');
    expect(b.received).toEqual([honest]);
    expect(b.transport.stats.messagesRejected).toBe(2);
    expect(b.logs.some((line) => line.level === 'warn' && line.fields?.count === 2)).toBe(true);
    // Dropping is not closing: the connection still delivers.
    raw.send(encodeBatch([heartbeat('x', 'b', 4)]));
    await waitFor(() => b.received.length === 2, 'the next message');
  });

  it('a throwing onMessage does not break the connection', async () => {
    const a = await startMember('a');
    let calls = 0;
    const b = await startMember('b', {}, () => {
      calls++;
      if (calls === 1) throw new Error('receiver failed');
    });
    connectAll([a, b]);
    a.transport.send([heartbeat('a', 'b', 1), heartbeat('a', 'b', 2)]);
    await waitFor(() => b.received.length === 2, 'both messages despite the throw');
    expect(b.logs.some((line) => line.level === 'error' && line.message === 'onMessage threw')).toBe(true);
    await stillServes(a, b);
  });
});
