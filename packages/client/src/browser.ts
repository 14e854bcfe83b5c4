/**
 * `@keel/client` for browsers: the platform's global `WebSocket`, and nothing from Node, so
 * bundlers never pull `ws` in.
 */
import { connectWith } from './connect';
import type { KeelClient } from './keel-client';
import type { ConnectOptions } from './options';
import { globalWebSocket } from './transport/web-socket';

export * from './exports';

/** Connects to a Keel cluster and opens a session; resolves once a member has granted it. */
export function connect(options: ConnectOptions): Promise<KeelClient> {
  return connectWith(options, async () => globalWebSocket());
}
