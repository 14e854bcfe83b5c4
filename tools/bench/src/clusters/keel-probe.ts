/**
 * Asks one Keel member who leads, over the client protocol itself: open a session, send
 * `listMembers`, close the session. It needs nothing but `@keel/protocol` and `ws`, so the
 * harness can find the leader whatever the client library offers.
 */
import { decodeResponse, encodeRequest, type Request, type ServerMessage } from '@keel/protocol';
import WebSocket from 'ws';

/** The leader id member `url` believes in (null when it knows none). */
export function keelLeaderOf(url: string, timeoutMs = 3000): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.binaryType = 'nodebuffer';
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`keel ${url}: no answer to listMembers in ${timeoutMs} ms`));
    }, timeoutMs);
    const send = (request: Request) => socket.send(encodeRequest(request));
    const finish = (outcome: () => void) => {
      clearTimeout(timer);
      outcome();
    };
    socket.on('open', () =>
      send({ op: 'connect', xid: 1, sessionTimeoutMs: 10_000, lastSeenRevision: 0, readOnly: true }),
    );
    socket.on('message', (data: Buffer) => {
      const frame = decodeResponse(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (!frame.ok) return finish(() => reject(new Error(`keel ${url}: bad frame: ${frame.error.message}`)));
      const message: ServerMessage = frame.value;
      if (message.type === 'connected') send({ op: 'listMembers', xid: 2 });
      else if (message.type === 'listMembers') {
        const leader = message.leaderId;
        send({ op: 'closeSession', xid: 3 });
        socket.close();
        finish(() => resolve(leader));
      } else if (message.type === 'error') {
        socket.close();
        finish(() => reject(new Error(`keel ${url}: ${message.code}: ${message.message}`)));
      }
    });
    socket.on('error', (error) => finish(() => reject(error)));
  });
}
