/**
 * Watch fan-out: W watchers (spread over up to 50 sessions) watch one node; one writer sets it.
 * For each write, the latency of every watcher is the time from the writer's acknowledgement to
 * that watcher's event (0 when the event arrived first). Rounds repeat until the duration is
 * over; the next write waits until every watcher is armed again (ZooKeeper's and Keel's
 * one-shot watches are re-armed by the driver), so no event is lost between rounds. Rounds
 * written during the warm-up run the same way but are not counted.
 */
import { nowMicros } from '../load/clock';
import { withTimeout } from '../load/closed-loop';
import { LatencyHistogram } from '../load/histogram';
import { openMeasuredWindow } from '../load/measured-window';
import type { DataWatch, Session } from '../targets/session';
import { type CustomWorkload, ensureNode, payload } from './workload';

/** Sessions the watchers are spread over. */
const watcherSessionsMax = 50;
/** A round whose events have not all arrived after this long is counted with its missing events as errors. */
const roundTimeoutMs = 10_000;

export function watchFanout(watchers: number): CustomWorkload {
  return {
    kind: 'custom',
    name: 'watch-fanout',
    title: `watch fan-out (${watchers})`,
    measures: `One writer, ${watchers} watchers of one node over ${Math.min(watchers, watcherSessionsMax)} sessions; latency from the write's ack to each watcher's event (0 if it came first; extra: from the write's send); ops/s = events delivered per second.`,
    async run({ driver, options, root }) {
      const sessions: Session[] = [];
      const watches: DataWatch[] = [];
      try {
        const writer = await driver.connect();
        sessions.push(writer);
        const path = `${root}/watched`;
        await ensureNode(writer, root);
        await ensureNode(writer, path, payload(100));
        const watcherSessions: Session[] = [];
        for (let i = 0; i < Math.min(watchers, watcherSessionsMax); i++) {
          const session = await driver.connect();
          sessions.push(session);
          watcherSessions.push(session);
        }
        let round:
          | {
              sentAt: number;
              ackAt: number | undefined;
              early: number[];
              pending: number;
              measured: boolean;
              done: () => void;
            }
          | undefined;
        const histogram = new LatencyHistogram();
        const fromSend = new LatencyHistogram();
        let beforeAck = 0;
        const onEvent = (atMicros: number): void => {
          if (round === undefined) return;
          if (round.measured) fromSend.record(Math.max(0, atMicros - round.sentAt));
          if (round.ackAt === undefined) round.early.push(atMicros);
          else if (round.measured) histogram.record(Math.max(0, atMicros - round.ackAt));
          round.pending--;
          if (round.pending === 0) round.done();
        };
        for (let i = 0; i < watchers; i++) {
          const session = watcherSessions[i % watcherSessions.length];
          if (session === undefined) throw new Error('no watcher session');
          watches.push(await session.watchData(path, onEvent));
        }
        const measuring = openMeasuredWindow(options.warmupMs ?? 0, options.durationMs);
        let delivered = 0;
        let missed = 0;
        let rounds = 0;
        while (nowMicros() < measuring.endAt) {
          await Promise.all(watches.map((watch) => watch.armed()));
          let done: () => void = () => {};
          const allArrived = new Promise<void>((resolve) => {
            done = resolve;
          });
          const sentAt = nowMicros();
          const current = {
            sentAt,
            ackAt: undefined as number | undefined,
            early: [] as number[],
            pending: watchers,
            measured: measuring.admits(sentAt),
            done,
          };
          round = current;
          await withTimeout(writer.set(path, payload(100)), roundTimeoutMs, 'the write');
          current.ackAt = nowMicros();
          const timedOut = await Promise.race([
            allArrived.then(() => false),
            new Promise<boolean>((resolve) => setTimeout(() => resolve(true), roundTimeoutMs)),
          ]);
          round = undefined;
          if (!current.measured) continue;
          // Events that beat the writer's acknowledgement count as 0 from the ack.
          for (const _ of current.early) histogram.record(0);
          beforeAck += current.early.length;
          delivered += watchers - Math.max(0, current.pending);
          if (timedOut) missed += current.pending;
          rounds++;
        }
        const { elapsedMs, generatorCpu, generatorLoopBusy } = measuring.close();
        return {
          outcome: { histogram, operations: delivered, errors: missed, elapsedMs, generatorCpu, generatorLoopBusy },
          extra: {
            rounds,
            watchers,
            p50FromSendMs: fromSend.quantileMicros(0.5) / 1000,
            p99FromSendMs: fromSend.quantileMicros(0.99) / 1000,
            eventsBeforeAck: beforeAck,
          },
        };
      } finally {
        await Promise.all(watches.map((watch) => watch.close().catch(() => {})));
        await Promise.all(sessions.map((session) => session.close().catch(() => {})));
      }
    },
  };
}
