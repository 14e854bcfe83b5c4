// Goal: a connection cannot make the member hold unbounded memory: request frames waiting for
// their answers are bounded in bytes (`Throttled` beyond, answered in order), and a client that
// stops reading its answers is closed (1013) once the member has queued more than the send
// buffer limit for it; other clients are unaffected.
// Method: a real single-node member with small byte limits; raw `ws` clients, one of which
// pauses its socket (so the kernel buffers fill and the member's queue grows).
import { closeCodes, encodeRequest, type ServerMessage } from '@keel/protocol';
import { describe, expect, it } from 'vitest';
import { bytes, RawClient, useSingle } from './harness';

describe('KeelServer backpressure', () => {
  const member = useSingle({
    requestBytesMax: 2 * 1024 * 1024,
    pendingRequestBytesMax: 2 * 1024 * 1024,
    sendBufferBytesMax: 1024 * 1024,
  });

  it('throttles beyond pendingRequestBytesMax, in order', async () => {
    const { client } = await RawClient.connect(member.server.clientUrl);
    await client.expect({ op: 'create', xid: 0, path: '/heavy', data: bytes(''), mode: 'persistent' }, 'create');
    const xids: number[] = [];
    for (let i = 0; i < 8; i++) {
      const xid = client.xid();
      xids.push(xid);
      client.sendRaw(encodeRequest({ op: 'set', xid, path: '/heavy', data: new Uint8Array(512 * 1024) }));
    }
    const answers: ServerMessage[] = [];
    while (answers.length < xids.length) {
      const message = await client.next();
      if (message === null) throw new Error('closed');
      if ('xid' in message) answers.push(message);
    }
    expect(answers.map((answer) => ('xid' in answer ? answer.xid : -1))).toEqual(xids);
    const throttled = answers.filter((answer) => answer.type === 'error' && answer.code === 'Throttled');
    expect(throttled.length).toBeGreaterThan(0);
    expect(answers.filter((answer) => answer.type === 'set').length).toBeGreaterThan(0);
    await client.close();
  });

  it('closes a client that stops reading once its send queue passes sendBufferBytesMax', async () => {
    const { client: writer } = await RawClient.connect(member.server.clientUrl);
    await writer.expect(
      { op: 'create', xid: 0, path: '/big', data: new Uint8Array(1024 * 1024), mode: 'persistent' },
      'create',
    );
    const { client: slow } = await RawClient.connect(member.server.clientUrl);
    slow.socket.pause();
    for (let i = 0; i < 64; i++) {
      slow.sendRaw(encodeRequest({ op: 'get', xid: slow.xid(), path: '/big', watch: false, linearizable: false }));
    }
    // The writer's connection is not affected while the slow one is being cut off.
    await writer.expect({ op: 'set', xid: 0, path: '/big', data: bytes('small') }, 'set');
    slow.socket.resume();
    const closed = await slow.closed;
    expect(closed.code).toBe(closeCodes.throttled);
    expect(closed.reason).toContain('too slowly');
    await writer.expect({ op: 'exists', xid: 0, path: '/big', watch: false, linearizable: false }, 'exists');
    await writer.close();
  });
});
