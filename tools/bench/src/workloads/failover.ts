/**
 * Leader failover under load: 16 writers set one node in a loop; after a third of the duration
 * (at least 2 s) the leader is killed with SIGKILL. `unavailableMs` is the longest stretch after
 * the kill without a successful write sent after it (from the kill itself for the first one):
 * what a user sees. It runs last, because the cluster keeps only two members afterwards.
 */
import { killProcess } from '../clusters/processes';
import { nowMicros } from '../load/clock';
import { runClosedLoop } from '../load/closed-loop';
import { UnavailabilityTracker } from '../load/unavailability';
import type { Session } from '../targets/session';
import { type CustomWorkload, ensureNode, payload } from './workload';

const writers = 16;
/** A write not answered within this long counts as failed (a client may otherwise wait for its own timeout). */
const writeTimeoutMs = 5000;

export const failoverWorkload: CustomWorkload = {
  kind: 'custom',
  name: 'failover',
  title: 'leader failover',
  measures:
    '16 writers set one node; the leader is killed with SIGKILL; unavailableMs = longest stretch after the kill without a successful write sent after it.',
  async run({ cluster, driver, options, root }) {
    const sessions: Session[] = [];
    try {
      for (let i = 0; i < 4; i++) sessions.push(await driver.connect());
      const first = sessions[0];
      if (first === undefined) throw new Error('no session');
      await ensureNode(first, root);
      const path = `${root}/key`;
      await ensureNode(first, path);
      const data = payload(100);
      const killAfterMs = Math.max(2000, options.durationMs / 3);
      const durationMs = killAfterMs + Math.max(options.durationMs, 8000);
      let killedAt: number | undefined;
      const availability = new UnavailabilityTracker();
      let leaderId = '';
      const killer = (async () => {
        await new Promise((resolve) => setTimeout(resolve, killAfterMs));
        const leader = await cluster.leader();
        leaderId = leader.id;
        killedAt = nowMicros();
        availability.fault(killedAt);
        await killProcess(leader.process);
      })();
      const outcome = await runClosedLoop({
        inflight: writers,
        durationMs,
        errorBackoffMs: 20,
        operationTimeoutMs: writeTimeoutMs,
        operation: async (worker) => {
          const session = sessions[worker % sessions.length];
          if (session === undefined) throw new Error('no session');
          const sentAt = nowMicros();
          await session.set(path, data);
          availability.success(sentAt, nowMicros());
        },
      });
      await killer;
      if (killedAt === undefined) throw new Error('the leader was not killed');
      const unavailable = availability.result(nowMicros());
      const recovered = unavailable !== undefined;
      return {
        outcome,
        extra: { unavailableMs: recovered ? unavailable / 1000 : Number.NaN },
        note: recovered
          ? `killed leader ${leaderId}`
          : `killed leader ${leaderId}; no write succeeded afterwards within ${durationMs - killAfterMs} ms`,
      };
    } finally {
      await Promise.all(sessions.map((session) => session.close().catch(() => {})));
    }
  },
};
