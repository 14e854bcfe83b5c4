/**
 * Goal: WsTransport delivers message batches between real members, batches every send() of
 * one event-loop turn into one frame per peer, reconnects to a restarted peer, and drops
 * (rather than hoards) messages for a peer that is down.
 * Method: transports on 127.0.0.1 with ephemeral ports; frames are counted with the stats
 * getters, never inferred from timing; waits poll until a condition holds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../src/core/types';
import { WsTransport } from '../../src/transport';
import { closeAll, connectAll, heartbeat, type Member, RawPeer, secret, startMember, waitFor } from './helpers';

afterEach(closeAll);

const append = (from: string, to: string, index: number): Message => ({
  type: 'append',
  from,
  to,
  term: 2,
  prevIndex: index - 1,
  prevTerm: 2,
  entries: [{ term: 2, index, type: 0, data: new TextEncoder().encode(`entry ${index}`) }],
  commit: index - 1,
});

describe('transport - exchange', () => {
  it('two members exchange batches in both directions, in order', async () => {
    const a = await startMember('a');
    const b = await startMember('b');
    connectAll([a, b]);
    expect(a.transport.address?.port).toBeGreaterThan(0);
    expect(a.transport.url).toBe(`ws://127.0.0.1:${a.transport.address?.port}`);

    const toB = [append('a', 'b', 1), append('a', 'b', 2), heartbeat('a', 'b', 2)];
    a.transport.send(toB);
    const toA: Message[] = [
      { type: 'appendResp', from: 'b', to: 'a', term: 2, success: true, index: 2, hintIndex: 0, hintTerm: 0 },
    ];
    b.transport.send(toA);
    await waitFor(() => b.received.length === 3 && a.received.length === 1, 'both batches');
    expect(b.received).toEqual(toB);
    expect(a.received).toEqual(toA);
  });

  it('three members: everyone reaches everyone', async () => {
    const members: Member[] = [await startMember('n1'), await startMember('n2'), await startMember('n3')];
    connectAll(members);
    for (const from of members) {
      const messages = members
        .filter((to) => to !== from)
        .map((to, i) => heartbeat(from.transport.id, to.transport.id, i + 1));
      from.transport.send(messages);
    }
    await waitFor(() => members.every((m) => m.received.length === 2), 'all heartbeats');
    for (const member of members) {
      const senders = member.received.map((m) => m.from).sort();
      expect(senders).toEqual(members.map((m) => m.transport.id).filter((id) => id !== member.transport.id));
      expect(member.received.every((m) => m.to === member.transport.id)).toBe(true);
    }
  });

  it('several send() calls in one turn leave as one frame', async () => {
    const a = await startMember('a');
    const b = await startMember('b');
    connectAll([a, b]);
    // While connecting, queued messages also go out as one frame once the handshake is done.
    a.transport.send([heartbeat('a', 'b', 1)]);
    a.transport.send([heartbeat('a', 'b', 2)]);
    await waitFor(() => b.received.length === 2, 'first batch');
    expect(b.transport.stats.framesReceived).toBe(1);

    const before = { sent: a.transport.stats.framesSent, received: b.transport.stats.framesReceived };
    a.transport.send([heartbeat('a', 'b', 3)]);
    a.transport.send([append('a', 'b', 1), append('a', 'b', 2)]);
    a.transport.send([]);
    a.transport.send([heartbeat('a', 'b', 4), heartbeat('a', 'b', 5)]);
    await waitFor(() => b.received.length === 7, 'second batch');
    expect(a.transport.stats.framesSent - before.sent).toBe(1);
    expect(b.transport.stats.framesReceived - before.received).toBe(1);
    expect(b.received.slice(2).map((m) => m.type)).toEqual(['heartbeat', 'append', 'append', 'heartbeat', 'heartbeat']);

    // Sends in separate turns are separate frames: the batching is per turn, not a delay.
    a.transport.send([heartbeat('a', 'b', 6)]);
    await new Promise((resolve) => setImmediate(resolve));
    a.transport.send([heartbeat('a', 'b', 7)]);
    await waitFor(() => b.received.length === 9, 'third batch');
    expect(b.transport.stats.framesReceived - before.received).toBe(3);
  });

  it('splits a turn that exceeds the frame limit into several frames', async () => {
    const a = await startMember('a', { frameBytesMax: 1024 });
    const b = await startMember('b');
    connectAll([a, b]);
    const messages = Array.from({ length: 200 }, (_, i) => heartbeat('a', 'b', i));
    a.transport.send(messages);
    await waitFor(() => b.received.length === 200, 'all messages');
    expect(b.received).toEqual(messages);
    expect(b.transport.stats.framesReceived).toBeGreaterThan(1);
    expect(a.transport.stats.framesSent).toBe(b.transport.stats.framesReceived);
  });

  it('reconnects to a restarted peer on the same port and delivery resumes', async () => {
    const a = await startMember('a');
    const b1 = await startMember('b');
    connectAll([a, b1]);
    a.transport.send([heartbeat('a', 'b', 1)]);
    await waitFor(() => b1.received.length === 1, 'delivery before restart');
    const port = b1.transport.address!.port;
    await b1.transport.close();

    const b2 = await startMember('b', { listen: { host: '127.0.0.1', port } });
    // Raft retransmits; the test does the same until the new incarnation hears from `a`.
    let commit = 2;
    await waitFor(() => {
      if (b2.received.length > 0) return true;
      a.transport.send([heartbeat('a', 'b', commit++)]);
      return false;
    }, 'delivery after restart');
    expect(b2.received[0]).toMatchObject({ type: 'heartbeat', from: 'a', to: 'b' });
    expect(a.transport.stats.outboundConnections).toBe(2);
  });

  it("tells when a peer's last connection to us closes, and only then", async () => {
    const a = await startMember('a');
    const b = await startMember('b');
    const c = await startMember('c');
    connectAll([a, b, c]);
    a.transport.send([heartbeat('a', 'b', 1), heartbeat('a', 'c', 1)]);
    c.transport.send([heartbeat('c', 'b', 1)]);
    await waitFor(() => b.received.length === 2 && c.received.length === 1, 'delivery');
    // A peer's second connection (a reconnect that overlaps the old one) keeps it present.
    const extra = new RawPeer(b.transport.url as string);
    await extra.authenticate('a', 'b');
    extra.socket.close();
    await extra.closed;
    a.transport.send([heartbeat('a', 'b', 2)]);
    await waitFor(() => b.received.length === 3, 'delivery after the extra connection closed');
    expect(b.gone).toEqual([]);
    await a.transport.close();
    await waitFor(() => b.gone.length === 1 && c.gone.length === 1, 'both to hear that a is gone');
    // c's connection to b is still open: only a is reported, once.
    expect(b.gone).toEqual(['a']);
    expect(c.gone).toEqual(['a']);
  });

  it('drops messages for a down peer instead of queueing them', async () => {
    const a = await startMember('a', { connectQueueMessagesMax: 16 });
    // A port that was just free: nothing listens there.
    const ghost = await startMember('ghost');
    const url = ghost.transport.url!;
    await ghost.transport.close();
    a.transport.setPeers(new Map([['ghost', url]]));
    const total = 10_000;
    a.transport.send(Array.from({ length: total }, (_, i) => heartbeat('a', 'ghost', i)));
    await waitFor(() => a.transport.stats.messagesDropped === total, 'every message dropped');
    expect(a.transport.stats.messagesSent).toBe(0);
    // Unknown peers and self-addressed messages are dropped too, and send() never throws.
    a.transport.send([heartbeat('a', 'stranger', 1), heartbeat('b', 'a', 1)]);
    expect(a.transport.stats.messagesDropped).toBe(total + 2);
  });

  it('drops frames when the socket buffer is over its cap', async () => {
    const a = await startMember('a', { bufferedBytesMax: 8 });
    const b = await startMember('b');
    connectAll([a, b]);
    a.transport.send([heartbeat('a', 'b', 1)]);
    await waitFor(() => a.transport.stats.outboundConnections === 1, 'connection');
    await waitFor(() => a.transport.stats.messagesDropped === 1, 'drop');
    expect(a.transport.stats.framesSent).toBe(0);
    expect(b.received).toEqual([]);
  });

  it('lifecycle: refuses a second start, close is idempotent, send after close drops', async () => {
    const a = await startMember('a');
    await expect(a.transport.start(() => {})).rejects.toThrow(/cannot start/);
    await a.transport.close();
    await a.transport.close();
    a.transport.send([heartbeat('a', 'b', 1)]);
    expect(a.transport.stats.messagesDropped).toBe(1);
    expect(() => new WsTransport({ id: '', listen: { host: '127.0.0.1', port: 0 }, clusterSecret: secret })).toThrow(
      /invalid node id/,
    );
    expect(() => new WsTransport({ id: 'x', listen: { host: '127.0.0.1', port: 0 }, clusterSecret: '' })).toThrow(
      /clusterSecret/,
    );
  });

  it('start fails cleanly when the port is taken', async () => {
    const a = await startMember('a');
    const clash = new WsTransport({
      id: 'b',
      listen: { host: '127.0.0.1', port: a.transport.address!.port },
      clusterSecret: secret,
    });
    await expect(clash.start(() => {})).rejects.toThrow(/EADDRINUSE/);
    await clash.close();
  });
});
