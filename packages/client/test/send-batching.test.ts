// Goal: the frames a client sends in one turn are held back on the `ws` socket's TCP stream until
// the turn ends, then all arrive, complete and in order; a release before a close delivers what
// was held; and a socket that is not `ws` (no stream to find) sends as before.
// Method: a real `ws` server on 127.0.0.1 and a real `ws` client socket; the test finds the
// client's TCP socket through the same `upgrade` event and reads its `writableCorked` during and
// after the turn; the server records every message it receives.
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { SendBatching } from '../src/transport/send-batching';

let server: WebSocketServer;
let url: string;
const received: string[] = [];
const closes: number[] = [];

beforeAll(async () => {
  const http = createServer();
  server = new WebSocketServer({ server: http });
  server.on('connection', (socket) => {
    socket.on('message', (data) => received.push(String(data)));
    socket.on('close', (code) => closes.push(code));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const client of server.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  server.options.server?.close();
});

async function open(): Promise<{ socket: WebSocket; batching: SendBatching; stream: Socket }> {
  const socket = new WebSocket(url);
  const batching = new SendBatching(socket);
  let stream: Socket | undefined;
  socket.on('upgrade', (response) => {
    stream = response.socket;
  });
  await new Promise((resolve) => socket.once('open', resolve));
  if (stream === undefined) throw new Error('no upgrade response');
  return { socket, batching, stream };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('SendBatching', () => {
  it('holds the frames of one turn, then sends them all in order', async () => {
    const { socket, batching, stream } = await open();
    received.length = 0;
    for (let i = 0; i < 20; i++) {
      batching.hold();
      socket.send(`frame ${i}`);
      batching.sent(socket.bufferedAmount);
    }
    expect(stream.writableCorked).toBe(1);
    await new Promise<void>((resolve) => process.nextTick(resolve));
    expect(stream.writableCorked).toBe(0);
    await until(() => received.length === 20);
    expect(received).toEqual(Array.from({ length: 20 }, (_, i) => `frame ${i}`));
    socket.close();
  });

  it('sends at once past the held-bytes bound', async () => {
    const { socket, batching, stream } = await open();
    batching.hold();
    socket.send(new Uint8Array(100 * 1024));
    batching.sent(socket.bufferedAmount);
    expect(stream.writableCorked).toBe(0);
    socket.close();
  });

  it('delivers held frames before a close', async () => {
    const { socket, batching } = await open();
    received.length = 0;
    batching.hold();
    socket.send('last words');
    batching.release();
    socket.close(4100, 'bye');
    await until(() => closes.includes(4100));
    expect(received).toEqual(['last words']);
  });

  it('does nothing for a socket without a stream to find', () => {
    const sent: string[] = [];
    const plain = { send: (data: string) => sent.push(data) };
    const batching = new SendBatching(plain);
    batching.hold();
    plain.send('x');
    batching.sent(0);
    batching.release();
    expect(sent).toEqual(['x']);
  });
});
