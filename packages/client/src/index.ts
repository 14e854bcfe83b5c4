/**
 * `@keel/client` for Node: the global `WebSocket` when the platform has one, else `ws` (Node 20
 * has none), loaded lazily so that code paths that never connect do not load it.
 */
import { connectWith } from './connect';
import type { KeelClient } from './keel-client';
import type { ConnectOptions } from './options';
import { globalWebSocket, type WebSocketConstructor } from './transport/web-socket';

export * from './exports';

/** Connects to a Keel cluster and opens a session; resolves once a member has granted it. */
export function connect(options: ConnectOptions): Promise<KeelClient> {
  return connectWith(options, async () => globalWebSocket() ?? (await loadWs()));
}

async function loadWs(): Promise<WebSocketConstructor> {
  const { WebSocket } = await import('ws');
  return WebSocket;
}
