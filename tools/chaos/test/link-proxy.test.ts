// Goal: a LinkProxy forwards a directed link faithfully and injects exactly the fault asked for:
// cut (reset and refuse), one-way drop (the other direction still flows; the connection is reset
// at heal), and delay (order kept, also across a change of fault).
// Method: real TCP and WebSocket servers and clients on 127.0.0.1, talking through a real proxy.
import { createServer, type Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { LinkProxy } from '../src/cluster/link-proxy';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A TCP server that records what it receives and can push bytes back to its clients. */
async function recordingServer(): Promise<{ port: number; received: () => string; sockets: Socket[] }> {
  let received = '';
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      received += chunk.toString();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return { port: address.port, received: () => received, sockets };
}

async function proxyTo(targetPort: number): Promise<LinkProxy> {
  const proxy = new LinkProxy({ name: 'a->b', targetPort });
  await proxy.start();
  cleanups.push(() => proxy.close());
  return proxy;
}

async function dial(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = new Socket();
  let received = '';
  socket.on('data', (chunk) => {
    received += chunk.toString();
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  // A refused connection may be reset before 'connect' fires: then only 'close' comes.
  await Promise.race([new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', () => resolve())), closed]);
  cleanups.push(() => {
    socket.destroy();
  });
  return { socket, received: () => received, closed };
}

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('LinkProxy over TCP', () => {
  it('passes bytes both ways', async () => {
    const server = await recordingServer();
    const proxy = await proxyTo(server.port);
    const client = await dial(proxy.port);
    client.socket.write('hello');
    await until('the server to receive', () => server.received() === 'hello');
    await until('the server socket', () => server.sockets.length === 1);
    server.sockets[0]!.write('back');
    await until('the client to receive', () => client.received() === 'back');
    expect(proxy.stats.bytesForwarded).toBe(9);
  });

  it('cut resets open connections and refuses new ones until healed', async () => {
    const server = await recordingServer();
    const proxy = await proxyTo(server.port);
    const client = await dial(proxy.port);
    client.socket.write('x');
    await until('the server to receive', () => server.received() === 'x');
    proxy.setFault({ kind: 'cut' });
    await client.closed;
    const refused = await dial(proxy.port);
    await refused.closed;
    expect(proxy.stats.connectionsRefused).toBe(1);
    proxy.heal();
    const again = await dial(proxy.port);
    again.socket.write('y');
    await until('the server to receive after heal', () => server.received() === 'xy');
  });

  it('drop forward discards the dialer bytes while the backward direction still flows, then resets at heal', async () => {
    const server = await recordingServer();
    const proxy = await proxyTo(server.port);
    const client = await dial(proxy.port);
    client.socket.write('before;');
    await until('the server to receive', () => server.received() === 'before;');
    proxy.setFault({ kind: 'drop', direction: 'forward' });
    client.socket.write('lost;');
    server.sockets[0]!.write('still-flows');
    await until('the backward bytes', () => client.received() === 'still-flows');
    await until('the forward bytes to be dropped', () => proxy.stats.bytesDropped === 5);
    expect(server.received()).toBe('before;');
    proxy.heal();
    await client.closed;
    expect(proxy.stats.connectionsReset).toBe(1);
  });

  it('drop backward leaves the forward direction working and untainted connections survive heal', async () => {
    const server = await recordingServer();
    const proxy = await proxyTo(server.port);
    const client = await dial(proxy.port);
    proxy.setFault({ kind: 'drop', direction: 'backward' });
    client.socket.write('goes');
    await until('the forward bytes', () => server.received() === 'goes');
    proxy.heal();
    client.socket.write('-on');
    await until('the connection to keep working', () => server.received() === 'goes-on');
    expect(proxy.stats.connectionsReset).toBe(0);
  });

  it('delay keeps the order of chunks, also for chunks sent after the delay is lifted', async () => {
    const server = await recordingServer();
    const proxy = await proxyTo(server.port);
    const client = await dial(proxy.port);
    proxy.setFault({ kind: 'delay', delayMs: 200 });
    for (let i = 0; i < 20; i++) client.socket.write(`${i},`);
    await until('the proxy to hold the chunks', () => proxy.stats.bytesForwarded > 0);
    proxy.heal();
    client.socket.write('end');
    const expected = `${Array.from({ length: 20 }, (_, i) => `${i},`).join('')}end`;
    await until('every chunk', () => server.received().length === expected.length);
    expect(server.received()).toBe(expected);
  });
});

describe('LinkProxy with WebSocket traffic', () => {
  async function wsPair(): Promise<{
    proxy: LinkProxy;
    client: WebSocket;
    fromClient: string[];
    fromServer: string[];
  }> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const fromClient: string[] = [];
    const fromServer: string[] = [];
    const serverSockets: WebSocket[] = [];
    wss.on('connection', (socket) => {
      serverSockets.push(socket);
      socket.on('message', (data) => {
        fromClient.push(data.toString());
        socket.send(`echo:${data.toString()}`);
      });
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of serverSockets) socket.terminate();
          wss.close(() => resolve());
        }),
    );
    const address = wss.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    const proxy = await proxyTo(address.port);
    const client = new WebSocket(proxy.url);
    client.on('error', () => {});
    client.on('message', (data) => fromServer.push(data.toString()));
    await new Promise<void>((resolve) => client.once('open', () => resolve()));
    cleanups.push(() => client.terminate());
    return { proxy, client, fromClient, fromServer };
  }

  it('carries a WebSocket conversation', async () => {
    const { client, fromClient, fromServer } = await wsPair();
    for (let i = 0; i < 50; i++) client.send(`m${i}`);
    await until('every echo', () => fromServer.length === 50);
    expect(fromClient).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    expect(fromServer).toEqual(fromClient.map((m) => `echo:${m}`));
  });

  it('a one-way drop lets client frames through but not the answers; heal resets the connection', async () => {
    const { proxy, client, fromClient, fromServer } = await wsPair();
    proxy.setFault({ kind: 'drop', direction: 'backward' });
    client.send('one-way');
    await until('the client frame', () => fromClient.length === 1);
    await until('the echo to be dropped', () => proxy.stats.bytesDropped > 0);
    expect(fromServer).toEqual([]);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    proxy.heal();
    await closed;
  });
});
