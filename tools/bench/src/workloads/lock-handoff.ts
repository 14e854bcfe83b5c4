/**
 * Lock handoff rate: C contenders, each with its own session, loop acquire then release on one
 * lock. The rate of acquisitions is how fast the lock moves from holder to holder; the latency
 * is how long one acquire waited.
 */
import { runClosedLoop } from '../load/closed-loop';
import type { Session } from '../targets/session';
import { type CustomWorkload, ensureNode } from './workload';

function lockHandoff(contenders: number): CustomWorkload {
  return {
    kind: 'custom',
    name: `lock-${contenders}`,
    title: `lock handoff, ${contenders} contenders`,
    measures: `${contenders} contenders, one session each, loop acquire/release on one mutex; ops/s = acquisitions per second.`,
    async run({ driver, options, root }) {
      const sessions: Session[] = [];
      try {
        for (let i = 0; i < contenders; i++) sessions.push(await driver.connect());
        const first = sessions[0];
        if (first === undefined) throw new Error('no contender session');
        await ensureNode(first, root);
        const lockPath = `${root}/lock`;
        await ensureNode(first, lockPath);
        const mutexes = sessions.map((session) => driver.mutex(session, lockPath));
        const outcome = await runClosedLoop({
          inflight: contenders,
          durationMs: options.durationMs,
          warmupMs: options.warmupMs ?? 0,
          operation: async (worker) => {
            const mutex = mutexes[worker];
            if (mutex === undefined) throw new Error(`no mutex for contender ${worker}`);
            const held = await mutex.acquire();
            await held.release();
          },
        });
        return { outcome, note: driver.mutexRecipe };
      } finally {
        await Promise.all(sessions.map((session) => session.close().catch(() => {})));
      }
    },
  };
}

export const lockHandoff2Workload = lockHandoff(2);
export const lockHandoff32Workload = lockHandoff(32);
