/**
 * Opening clients that survive a cluster in chaos: `connect()` itself may fail while no member
 * can open a session (every member killed, no leader), so workers retry until told to stop.
 */
import { connect, type KeelClient } from '@keel/client';
import { sleep } from '../faults/injector';

/** Client timeouts of the workloads: short, so that faults produce unknown outcomes quickly. */
export const workloadClientOptions = Object.freeze({
  sessionTimeoutMs: 8_000,
  requestTimeoutMs: 3_000,
  connectTimeoutMs: 5_000,
});

/** Pause of a worker after a request with an unknown outcome (no leader: requests fail at once). */
export const errorBackoffMs = 50;

/** Options of {@link openClient}. */
export interface OpenClientOptions {
  readonly sessionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly random?: () => number;
}

/** Connects, retrying while `signal` allows; null once `signal` aborted first. */
export async function openClient(
  servers: readonly string[],
  signal: AbortSignal | null,
  options: OpenClientOptions = {},
): Promise<KeelClient | null> {
  for (;;) {
    if (signal?.aborted === true) return null;
    try {
      return await connect({
        servers: [...servers],
        sessionTimeoutMs: options.sessionTimeoutMs ?? workloadClientOptions.sessionTimeoutMs,
        requestTimeoutMs: options.requestTimeoutMs ?? workloadClientOptions.requestTimeoutMs,
        connectTimeoutMs: workloadClientOptions.connectTimeoutMs,
        ...(options.random === undefined ? {} : { random: options.random }),
      });
    } catch {
      await sleep(200, signal ?? undefined);
    }
  }
}

/** Connects for the check phase, where giving up is a failure of the run. */
export async function openCheckClient(servers: readonly string[], timeoutMs = 60_000): Promise<KeelClient> {
  const signal = AbortSignal.timeout(timeoutMs);
  const client = await openClient(servers, signal, { requestTimeoutMs: 10_000, sessionTimeoutMs: 30_000 });
  if (client === null) throw new Error(`no member opened a session within ${timeoutMs} ms after the faults healed`);
  return client;
}

/** Retries `operation` (an idempotent read or an idempotent setup step) until it succeeds or `timeoutMs` passes. */
export async function retry<T>(what: string, operation: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await operation();
    } catch (error) {
      last = error;
      await sleep(200);
    }
  }
  throw new Error(`${what} did not succeed within ${timeoutMs} ms: ${String(last)}`);
}

/** Creates persistent `path` and its missing parents; existing nodes are fine. */
export async function ensurePath(client: KeelClient, path: string, data = ''): Promise<void> {
  const parts = path.split('/').filter((p) => p !== '');
  for (let i = 1; i <= parts.length; i++) {
    const prefix = `/${parts.slice(0, i).join('/')}`;
    await retry(`create ${prefix}`, async () => {
      try {
        await client.create(prefix, i === parts.length ? data : '');
      } catch (error) {
        if ((error as { code?: string }).code !== 'NodeExists') throw error;
      }
    });
  }
}
