/**
 * The part of the WHATWG WebSocket API the client uses. Browsers' `WebSocket`, Node 22's global
 * one and `ws` all provide it, so the client is written once against this shape.
 */

import { isNodeWs } from './send-batching';

/** The events the client reads from a socket. */
export interface WebSocketMessageEvent {
  readonly data: unknown;
}

/** The close event: code and reason. */
export interface WebSocketCloseEvent {
  readonly code: number;
  readonly reason: string;
}

/** A WebSocket as the client drives it. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: WebSocketMessageEvent) => void) | null;
  onclose: ((event: WebSocketCloseEvent) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/**
 * A WebSocket class (`WebSocket` of the browser or `ws`). Typed loosely because the event types
 * of each implementation differ; the client only relies on {@link WebSocketLike}.
 */
export type WebSocketConstructor = abstract new (url: string) => object;

/** The open readyState of every WebSocket implementation. */
export const webSocketOpen = 1;

/** Opens a socket of class `WebSocket` on `url`, typed as the shape the client uses. */
export function openSocket(WebSocket: WebSocketConstructor, url: string): WebSocketLike {
  const Socket = WebSocket as unknown as new (url: string) => WebSocketLike;
  const socket = new Socket(url);
  // ArrayBuffer, not Blob: frames are decoded synchronously, in arrival order. `ws` can hand
  // over its own Buffer instead, which saves copying every frame into an ArrayBuffer.
  socket.binaryType = isNodeWs(socket) ? 'nodebuffer' : 'arraybuffer';
  return socket;
}

/** The global WebSocket class, if the platform has one. */
export function globalWebSocket(): WebSocketConstructor | undefined {
  const candidate = (globalThis as { WebSocket?: unknown }).WebSocket;
  return typeof candidate === 'function' ? (candidate as WebSocketConstructor) : undefined;
}
