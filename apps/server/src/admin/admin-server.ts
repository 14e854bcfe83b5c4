/**
 * The admin HTTP endpoint of a member (plain `node:http`, its own port): `GET /health` for load
 * balancers and orchestrators, `GET /status` for operators. Read-only; it changes nothing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenAddress } from '../server/options';
import { healthOf } from './health';
import { type AdminTarget, statusReport } from './status-report';

/** Most connections the admin endpoint holds at once; probes are short, so a few suffice. */
export const adminConnectionsMax = 64;

/** Where the admin endpoint writes one line per request (at debug: probes arrive every few seconds). */
export interface AdminRequestLog {
  debug(fields: Record<string, unknown>, message: string): void;
}

/** How to start the admin endpoint. */
export interface AdminServerOptions {
  readonly listen: ListenAddress;
  readonly target: AdminTarget;
  /** When the member started (epoch ms), for `uptimeMs` (default: now). */
  readonly startedAt?: number;
  readonly log?: AdminRequestLog;
  /** The client URL configured for the member, reported by /status instead of the bound address. */
  readonly clientUrl?: string | null;
}

/** A running admin endpoint. */
export class AdminServer {
  private closing: Promise<void> | null = null;

  private constructor(private readonly http: Server) {}

  /** Listens on `options.listen` (port 0: a free port) and serves `/health` and `/status`. */
  static async start(options: AdminServerOptions): Promise<AdminServer> {
    const startedAt = options.startedAt ?? Date.now();
    const clientUrl = options.clientUrl ?? null;
    const http = createServer((request, response) => {
      const status = handle(request, response, options.target, { startedAt, clientUrl });
      options.log?.debug({ method: request.method, url: request.url, status }, 'admin request');
    });
    http.maxConnections = adminConnectionsMax;
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.listen.port, options.listen.host, () => {
        http.off('error', reject);
        resolve();
      });
    });
    return new AdminServer(http);
  }

  /** `http://host:port` of the endpoint. */
  get url(): string {
    const address = this.http.address() as AddressInfo | null;
    if (address === null) throw new Error('the admin endpoint is not listening');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  /** Stops listening and drops open connections (probes retry). Safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
    return this.closing;
  }
}

/** Answers one request; returns the status code sent. */
function handle(
  request: IncomingMessage,
  response: ServerResponse,
  target: AdminTarget,
  context: { readonly startedAt: number; readonly clientUrl: string | null },
): number {
  const path = (request.url ?? '/').split('?')[0];
  if (path !== '/health' && path !== '/status') return send(response, request, 404, { error: `no such path: ${path}` });
  // HEAD is GET without a body (RFC 9110 §9.3.2); some health checkers use it.
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    return send(response, request, 405, { error: `method ${request.method} not allowed; use GET` });
  }
  try {
    if (path === '/health') {
      const health = healthOf(target.node.status());
      return health.ready
        ? send(response, request, 200, { status: 'ready' })
        : send(response, request, 503, { status: 'unavailable', reason: health.reason });
    }
    return send(response, request, 200, statusReport(target, { ...context, now: Date.now() }));
  } catch (error) {
    return send(response, request, 500, { error: error instanceof Error ? error.message : String(error) });
  }
}

function send(response: ServerResponse, request: IncomingMessage, status: number, body: unknown): number {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : text);
  return status;
}
