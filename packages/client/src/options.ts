/**
 * Options of `connect()` and of each request, and how they are resolved to settings.
 */
import { BadArgumentsError } from '@keel/protocol';
import type { RandomSource } from './backoff';
import {
  defaultBackoffMsMax,
  defaultBackoffMsMin,
  defaultConnectTimeoutMs,
  defaultRequestTimeoutMs,
  defaultSessionTimeoutMs,
} from './constants';
import type { WebSocketConstructor } from './transport/web-socket';

/** How to reach a Keel cluster and how the client behaves. */
export interface ConnectOptions {
  /**
   * The members: `ws://host:port` (or `wss://`) URLs, as an array or one comma-separated
   * connection string. A bare `host:port` means `ws://host:port`.
   */
  readonly servers: readonly string[] | string;
  /** Requested session timeout (default 30 s); the member grants one within its bounds. */
  readonly sessionTimeoutMs?: number;
  /** Default per-request timeout, time spent queued included (default 10 s; `Infinity`: none). */
  readonly requestTimeoutMs?: number;
  /** How long `connect()` may try members before it rejects (default 10 s; `Infinity`: until aborted). */
  readonly connectTimeoutMs?: number;
  /** Aborts `connect()` while it is trying members. */
  readonly signal?: AbortSignal;
  /** Smallest ceiling of the randomised delay between reconnection attempts (default 50 ms). */
  readonly backoffMsMin?: number;
  /** Largest ceiling of that delay (default 2 s). */
  readonly backoffMsMax?: number;
  /**
   * The WebSocket class to use. Default: the global `WebSocket` when there is one (browsers,
   * Node 22+), else `ws` (Node entry only).
   */
  readonly WebSocket?: WebSocketConstructor;
  /** Random source for the member order and the backoff jitter (default `Math.random`). */
  readonly random?: RandomSource;
  /**
   * Send reads (`get`, `exists`, `children`, `sync`, `members`) in flight when a connection is
   * lost again on the next one instead of failing them with `ConnectionLoss` (default true).
   * Writes are never sent twice.
   */
  readonly retryReads?: boolean;
}

/** Options every request accepts. */
export interface RequestOptions {
  /** Overrides the client's `requestTimeoutMs` for this call (`Infinity`: no timeout). */
  readonly timeoutMs?: number;
  /** Aborts the call; it then rejects with `AbortedError` (a write's outcome is then unknown). */
  readonly signal?: AbortSignal;
}

/** The resolved settings of a client. */
export interface ClientSettings {
  readonly servers: readonly string[];
  readonly sessionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly backoffMsMin: number;
  readonly backoffMsMax: number;
  readonly random: RandomSource;
  readonly retryReads: boolean;
}

/** Splits and checks a member list; throws `BadArgumentsError` naming the bad entry. */
export function parseServers(servers: readonly string[] | string): string[] {
  // A caller in plain JavaScript may pass anything: say what is wrong instead of failing inside.
  if (typeof servers !== 'string' && !Array.isArray(servers)) {
    throw new BadArgumentsError('servers must be a comma-separated string or an array of member URLs');
  }
  const given: readonly unknown[] = typeof servers === 'string' ? servers.split(',') : servers;
  const urls: string[] = [];
  for (const entry of given) {
    if (typeof entry !== 'string') throw new BadArgumentsError(`not a member URL: ${String(entry)}`);
    const trimmed = entry.trim();
    if (trimmed.length > 0) urls.push(trimmed);
  }
  if (urls.length === 0) throw new BadArgumentsError('servers must name at least one member');
  return urls.map((entry) => {
    const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ? entry : `ws://${entry}`;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new BadArgumentsError(`not a member URL: ${JSON.stringify(entry)}`);
    }
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
      throw new BadArgumentsError(`member URLs must be ws:// or wss://: ${JSON.stringify(entry)}`);
    }
    return url;
  });
}

function positive(name: string, value: number | undefined, fallback: number, infinite = false): number {
  if (value === undefined) return fallback;
  const allowed = infinite ? !Number.isNaN(value) : Number.isFinite(value);
  if (!allowed || value <= 0) throw new BadArgumentsError(`${name} must be a positive number`);
  return value;
}

/** Resolves `connect()` options to settings, with defaults; throws `BadArgumentsError` on bad ones. */
export function resolveSettings(options: ConnectOptions): ClientSettings {
  const backoffMsMin = positive('backoffMsMin', options.backoffMsMin, defaultBackoffMsMin);
  const backoffMsMax = positive('backoffMsMax', options.backoffMsMax, Math.max(backoffMsMin, defaultBackoffMsMax));
  if (backoffMsMax < backoffMsMin) throw new BadArgumentsError('backoffMsMax must not be below backoffMsMin');
  return {
    servers: parseServers(options.servers),
    sessionTimeoutMs: Math.round(positive('sessionTimeoutMs', options.sessionTimeoutMs, defaultSessionTimeoutMs)),
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, defaultRequestTimeoutMs, true),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, defaultConnectTimeoutMs, true),
    backoffMsMin,
    backoffMsMax,
    random: options.random ?? Math.random,
    retryReads: options.retryReads ?? true,
  };
}
