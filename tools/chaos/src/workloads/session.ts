/**
 * The `session` workload: sessions, ephemerals and watches under faults.
 *
 * - Watches: writers set `/chaos/session/watched` to unique values; a watcher client holds a
 *   persistent watch on it. Every acknowledged write's revision must reach the watcher, in
 *   increasing order, without duplicates, unless a `resyncNeeded` event admits a gap there; the
 *   watcher must not see more changes than the node's version says happened.
 * - Ephemerals of live sessions: holders create an ephemeral per session and keep checking it
 *   exists. It may vanish only if that session then turns out to be expired (`lost`). And a
 *   session may only expire after its client reported `suspended` (what lock holders rely on).
 * - Expiry: abandoners open a session through a proxy of their own, create ephemerals, then cut
 *   the proxy for good. Once the session timeout has passed (after the faults healed), those
 *   ephemerals must be gone.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeelClient, WatchedEvent } from '@keel/client';
import { LinkProxy } from '../cluster/link-proxy';
import { sleep } from '../faults/injector';
import type { Operation } from '../history';
import { checkHistory } from '../linearizability';
import { ensurePath, errorBackoffMs, openCheckClient, openClient, retry } from './clients';
import { errorCode, outcomeOf } from './outcome';
import type { Workload, WorkloadContext, WorkloadResult } from './workload';

const root = '/chaos/session';
const watchedPath = `${root}/watched`;
const liveDir = `${root}/live`;
const abandonedDir = `${root}/abandoned`;
const initialValue = 'w-init';
/** Session timeout requested by abandoners: the server's minimum, so expiry comes soon. */
const abandonedSessionTimeoutMs = 4_000;
/** Longest wait, after the faults healed, for abandoned sessions' ephemerals to disappear. */
const expiryWaitMs = 30_000;

interface AckedWrite {
  readonly value: string;
  readonly revision: number;
}

/** What one live session showed. */
interface LiveSession {
  readonly worker: number;
  readonly sessionId: string;
  readonly path: string;
  /** When an exists() found the ephemeral gone while the client still thought the session alive. */
  vanishedAtMs: number | null;
  /** Whether the client later reported the session `lost`. */
  lost: boolean;
}

/** Creates the session workload. */
export function sessionWorkload(): Workload {
  const history: Operation[] = [];
  const acked: AckedWrite[] = [];
  const events: WatchedEvent[] = [];
  const errors = new Map<string, number>();
  const sessions: LiveSession[] = [];
  const abandoned: string[] = [];
  /** Sessions that expired while their client still believed itself connected. */
  const unwarned: string[] = [];
  const proxies: LinkProxy[] = [];
  const abandonedClients: KeelClient[] = [];
  let watcher: KeelClient | null = null;
  const watcherLog: { atMs: number; state: string; memberId: string | null; lastEvent: number }[] = [];
  const eventTimes: number[] = [];
  const ackedTimes: number[] = [];
  let watchVersionStart = 0;
  let ops = 0;
  const count = (error: unknown): void => {
    errors.set(errorCode(error), (errors.get(errorCode(error)) ?? 0) + 1);
  };

  async function writer(context: WorkloadContext, id: number, signal: AbortSignal): Promise<void> {
    const client = await openClient(context.servers, signal);
    if (client === null) return;
    try {
      for (let sequence = 0; !signal.aborted; sequence++) {
        const value = `${id}-${sequence}`;
        const invokeMs = context.now();
        ops++;
        try {
          const stat = await client.set(watchedPath, value);
          acked.push({ value, revision: stat.modifiedRevision });
          ackedTimes.push(context.now());
          history.push({
            process: id,
            key: watchedPath,
            type: 'write',
            value,
            invokeMs,
            completeMs: context.now(),
            outcome: 'ok',
          });
        } catch (error) {
          count(error);
          const outcome = outcomeOf(error);
          if (outcome === 'unknown') await sleep(errorBackoffMs, signal);
          history.push({
            process: id,
            key: watchedPath,
            type: 'write',
            value,
            invokeMs,
            completeMs: outcome === 'unknown' ? null : context.now(),
            outcome,
          });
        }
        await sleep(Math.floor(context.random() * 20), signal);
      }
    } finally {
      await client.close().catch(() => {});
    }
  }

  async function holder(context: WorkloadContext, id: number, signal: AbortSignal): Promise<void> {
    const client = await openClient(context.servers, signal);
    if (client === null) return;
    let current: LiveSession | null = null;
    let previous: string = client.state;
    client.on('state', (state) => {
      if (state === 'lost') {
        for (const session of sessions) if (session.worker === id) session.lost = true;
        // Curator's contract, which lock holders rely on: a connection problem shows as
        // `suspended` before the session can expire, so a holder stops in time.
        if (previous !== 'suspended' && current !== null) {
          unwarned.push(
            `session ${current.sessionId} of worker ${id} (on member ${client.memberId ?? '?'}) expired at ${context.now()} ms while its client was ${previous}, never suspended`,
          );
        }
      }
      previous = state;
    });
    try {
      for (let generation = 0; !signal.aborted; ) {
        const sessionId = client.sessionId;
        if (current === null || current.sessionId !== sessionId || current.lost) {
          if (sessionId === null) {
            await sleep(100, signal);
            continue;
          }
          const path = `${liveDir}/w${id}-${generation++}`;
          ops++;
          try {
            await client.create(path, sessionId, { mode: 'ephemeral' });
          } catch (error) {
            count(error);
            // Unknown outcome: the node may exist; the next round creates a fresh one.
            await sleep(100, signal);
            continue;
          }
          // The create may have landed in a session that has just been replaced.
          if (client.sessionId !== sessionId) continue;
          current = { worker: id, sessionId, path, vanishedAtMs: null, lost: false };
          sessions.push(current);
        }
        ops++;
        try {
          const stat = await client.exists(current.path);
          if (
            stat === null &&
            current.vanishedAtMs === null &&
            client.sessionId === current.sessionId &&
            !current.lost
          ) {
            current.vanishedAtMs = context.now();
          }
          if (stat !== null && stat.ephemeralOwner !== current.sessionId) {
            current.vanishedAtMs ??= context.now();
          }
        } catch (error) {
          count(error);
        }
        await sleep(50 + Math.floor(context.random() * 100), signal);
      }
      // A session that expired just before the end may not be reported lost yet: give the
      // client (reconnecting while the faults heal) time to learn it, before judging.
      const deadline = Date.now() + 20_000;
      while (current !== null && current.vanishedAtMs !== null && !current.lost && Date.now() < deadline) {
        await sleep(100);
      }
    } finally {
      await client.close().catch(() => {});
    }
  }

  async function abandoner(context: WorkloadContext, id: number, signal: AbortSignal): Promise<void> {
    for (let round = 0; !signal.aborted; round++) {
      await sleep(1_000 + Math.floor(context.random() * 2_000), signal);
      if (signal.aborted) break;
      const server = context.servers[Math.floor(context.random() * context.servers.length)]!;
      const proxy = new LinkProxy({ name: `abandoner ${id}-${round}`, targetPort: Number(new URL(server).port) });
      await proxy.start();
      proxies.push(proxy);
      const client = await openClient([proxy.url], AbortSignal.any([signal, AbortSignal.timeout(5_000)]), {
        sessionTimeoutMs: abandonedSessionTimeoutMs,
      });
      if (client === null) continue;
      abandonedClients.push(client);
      for (let i = 0; i < 2; i++) {
        const path = `${abandonedDir}/a${id}-${round}-${i}`;
        ops++;
        try {
          await client.create(path, '', { mode: 'ephemeral' });
          abandoned.push(path);
        } catch (error) {
          count(error);
          // Whether or not it exists, it belongs to this session and must go with it.
          abandoned.push(path);
        }
      }
      // The client never gets through again: its session must expire on the members.
      proxy.setFault({ kind: 'cut' });
    }
  }

  /** Waits until the watcher has seen `revision` (or a resync past it), at most `timeoutMs`. */
  async function watcherReaches(revision: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const last = events[events.length - 1];
      if (last !== undefined && last.revision >= revision) return true;
      await sleep(100);
    }
    return false;
  }

  return {
    name: 'session',
    async setup(context) {
      const client = await openCheckClient(context.servers);
      try {
        await ensurePath(client, watchedPath, initialValue);
        await ensurePath(client, liveDir);
        await ensurePath(client, abandonedDir);
        // Writers start after setup: the watch must see every version from this one on.
        const stat = await retry('read the watched node', () => client.exists(watchedPath));
        watchVersionStart = stat?.version ?? 0;
      } finally {
        await client.close();
      }
      watcher = await openCheckClient(context.servers);
      const watching = watcher;
      // What the watcher went through, for diagnosing a gap: its states and members, with the
      // last event revision at each change.
      watcherLog.push({ atMs: context.now(), state: watching.state, memberId: watching.memberId, lastEvent: 0 });
      watching.on('state', (state) => {
        watcherLog.push({
          atMs: context.now(),
          state,
          memberId: watching.memberId,
          lastEvent: events.at(-1)?.revision ?? 0,
        });
      });
      const stream = watching.watch(watchedPath);
      await stream.ready;
      void (async () => {
        for await (const event of stream) {
          events.push(event);
          eventTimes.push(context.now());
        }
      })().catch(() => {});
    },
    async run(context, signal) {
      const writers = Math.max(1, Math.floor(context.clients / 2));
      const holders = Math.max(1, context.clients - writers - 1);
      await Promise.all([
        ...Array.from({ length: writers }, (_, id) => writer(context, id, signal)),
        ...Array.from({ length: holders }, (_, id) => holder(context, writers + id, signal)),
        abandoner(context, writers + holders, signal),
      ]);
    },
    async check(context): Promise<WorkloadResult> {
      const anomalies: string[] = [];
      const notes: string[] = [];
      let lost = 0;
      const client = await openCheckClient(context.servers);
      let remaining: string[] = [];
      try {
        await retry('sync', () => client.sync(watchedPath));
        const readAtMs = context.now();
        const { stat, data } = await retry('read the watched node', () =>
          client.get(watchedPath, { linearizable: true }),
        );
        history.push({
          process: 'final',
          key: watchedPath,
          type: 'read',
          value: new TextDecoder().decode(data),
          invokeMs: readAtMs,
          completeMs: context.now(),
          outcome: 'ok',
        });
        if (!(await watcherReaches(stat.modifiedRevision, 20_000))) {
          anomalies.push(
            `the watcher never saw revision ${stat.modifiedRevision} (last event ${JSON.stringify(events.at(-1) ?? null)})`,
          );
        }
        // Watch checks: order, duplicates, gaps, phantoms.
        const changes = events.filter((e) => e.type === 'dataChanged');
        const resyncs = events.filter((e) => e.type === 'resyncNeeded');
        for (let i = 1; i < events.length; i++) {
          if (events[i]!.revision <= events[i - 1]!.revision && events[i]!.type !== 'resyncNeeded') {
            anomalies.push(
              `watch event at revision ${events[i]!.revision} came after revision ${events[i - 1]!.revision}`,
            );
          }
        }
        const seen = new Set(changes.map((e) => e.revision));
        const excused = (revision: number): boolean =>
          resyncs.some((r) => {
            const before = events
              .slice(0, events.indexOf(r))
              .filter((e) => e.type === 'dataChanged')
              .at(-1);
            return revision > (before?.revision ?? 0) && revision <= r.revision;
          });
        for (const write of acked) {
          if (!seen.has(write.revision) && !excused(write.revision)) {
            lost++;
            if (lost <= 10)
              anomalies.push(
                `acknowledged write ${write.value} (revision ${write.revision}) never reached the persistent watch`,
              );
          }
        }
        if (lost > 10) anomalies.push(`... ${lost - 10} more acknowledged writes never reached the watch`);
        if (lost > 0) {
          const file = join(context.runDir, 'session-watch.json');
          const missing = acked.flatMap((w, i) => (seen.has(w.revision) ? [] : [{ ...w, ackedAtMs: ackedTimes[i] }]));
          const received = events.map((e, i) => ({ ...e, atMs: eventTimes[i] }));
          await writeFile(file, JSON.stringify({ watcher: watcherLog, missing, received }, null, 1));
          notes.push(`session: watch diagnostics (watcher states and members, missing writes, events) in ${file}`);
        }
        if (resyncs.length === 0 && changes.length > stat.version - watchVersionStart) {
          anomalies.push(
            `the watch saw ${changes.length} changes but the node changed ${stat.version - watchVersionStart} times`,
          );
        }
        // Ephemerals of live sessions.
        for (const session of sessions) {
          if (session.vanishedAtMs !== null && !session.lost) {
            anomalies.push(
              `ephemeral ${session.path} of live session ${session.sessionId} vanished at ${session.vanishedAtMs} ms, and the session was never reported lost`,
            );
          }
        }
        anomalies.push(...unwarned);
        // Abandoned sessions: their ephemerals must go once they expire.
        const deadline = Date.now() + expiryWaitMs;
        for (;;) {
          remaining = [];
          for (const path of abandoned) {
            if ((await retry(`exists ${path}`, () => client.exists(path, { linearizable: true }))) !== null)
              remaining.push(path);
          }
          if (remaining.length === 0 || Date.now() > deadline) break;
          await sleep(500);
        }
        for (const path of remaining) {
          anomalies.push(
            `ephemeral ${path} of an abandoned session still exists ${expiryWaitMs} ms after the faults healed`,
          );
        }
      } finally {
        await client.close();
        await watcher?.close().catch(() => {});
        await Promise.all(abandonedClients.map((c) => c.close().catch(() => {})));
        await Promise.all(proxies.map((p) => p.close()));
      }
      const checked = checkHistory(history, { initial: initialValue });
      return {
        ops,
        acked: acked.length,
        lost,
        anomalies,
        linearizable: checked.verdict === 'linearizable' ? 'yes' : checked.verdict === 'unknown' ? 'unknown' : 'no',
        history,
        details: [
          ...notes,
          `session: ${acked.length} acknowledged writes, ${events.length} watch events (${events.filter((e) => e.type === 'resyncNeeded').length} resyncNeeded), ${sessions.length} live sessions (${sessions.filter((s) => s.lost).length} lost), ${abandoned.length} abandoned ephemerals, errors ${JSON.stringify(Object.fromEntries(errors))}`,
        ],
      };
    },
  };
}
