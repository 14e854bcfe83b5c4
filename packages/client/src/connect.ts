/**
 * `connect()` without a WebSocket of its own: the entries (Node, browser) supply one.
 */
import { BadArgumentsError } from '@keel/protocol';
import { KeelClient } from './keel-client';
import { type ConnectOptions, resolveSettings } from './options';
import type { WebSocketConstructor } from './transport/web-socket';

/** Connects with the WebSocket class the options name, or the one `fallback` resolves. */
export async function connectWith(
  options: ConnectOptions,
  fallback: () => Promise<WebSocketConstructor | undefined>,
): Promise<KeelClient> {
  const settings = resolveSettings(options);
  const WebSocket = options.WebSocket ?? (await fallback());
  if (WebSocket === undefined) {
    throw new BadArgumentsError('no WebSocket implementation: pass one as the WebSocket option');
  }
  return KeelClient.open(settings, WebSocket, options.signal);
}
