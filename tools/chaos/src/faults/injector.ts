/**
 * Plays a fault schedule against a running cluster: resolves each symbolic target (the leader
 * right now, or a member by index), applies the fault, waits its duration, heals it. Every
 * action lands in the event log with the time it happened, so a run can be told apart from its
 * replay when leadership moved differently.
 */
import type { ChaosCluster } from '../cluster/cluster';
import { describeFault, type FaultTarget, type PlannedFault, type ScheduledFault } from './schedule';

/** Something the injector did. */
export interface FaultEvent {
  /** Milliseconds since the workload started. */
  readonly atMs: number;
  readonly action: 'fault' | 'heal';
  readonly description: string;
  /** The members hit. */
  readonly members: readonly string[];
}

/** Options of {@link runFaults}. */
export interface RunFaultsOptions {
  /** When the workload started (epoch ms); schedule times are relative to it. */
  readonly startedAtMs: number;
  /** Stops early; the fault in force is healed first. */
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

/** Sleeps `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true || ms <= 0) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function resolveTarget(cluster: ChaosCluster, target: FaultTarget): Promise<string> {
  if (target.kind === 'member') return cluster.ids[target.index % cluster.ids.length]!;
  // Without a unique leader right now (an election is running), hit the first member.
  return (await cluster.leader()) ?? cluster.ids[0]!;
}

/** The members after `id` in id order, wrapping around. */
function othersAfter(ids: readonly string[], id: string): string[] {
  const at = ids.indexOf(id);
  return [...ids.slice(at + 1), ...ids.slice(0, at)];
}

/** Applies `fault`; returns the members hit and how to heal it. */
async function apply(
  cluster: ChaosCluster,
  fault: PlannedFault,
): Promise<{ members: string[]; heal: () => Promise<void> }> {
  const ids = cluster.ids;
  switch (fault.kind) {
    case 'kill': {
      const id = await resolveTarget(cluster, fault.target);
      await cluster.kill(id);
      return { members: [id], heal: () => cluster.startMember(id) };
    }
    case 'pause': {
      const id = await resolveTarget(cluster, fault.target);
      cluster.pause(id);
      return { members: [id], heal: async () => cluster.resume(id) };
    }
    case 'restart': {
      await Promise.all(ids.map((id) => cluster.kill(id)));
      return {
        members: [...ids],
        heal: async () => {
          await Promise.all(ids.map((id) => cluster.startMember(id)));
        },
      };
    }
    case 'delay': {
      const id = await resolveTarget(cluster, fault.target);
      for (const other of othersAfter(ids, id)) {
        cluster.delayLink(id, other, fault.delayMs);
        cluster.delayLink(other, id, fault.delayMs);
      }
      return { members: [id], heal: async () => cluster.healNetwork() };
    }
    case 'partition': {
      const id = await resolveTarget(cluster, fault.target);
      const others = othersAfter(ids, id);
      const heal = async (): Promise<void> => cluster.healNetwork();
      switch (fault.shape) {
        case 'isolate':
          cluster.isolate(id, fault.mode);
          return { members: [id], heal };
        case 'minority': {
          const minority = [id, ...others.slice(0, Math.max(0, Math.floor((ids.length - 1) / 2) - 1))];
          cluster.partition([minority, ids.filter((m) => !minority.includes(m))], fault.mode);
          return { members: minority, heal };
        }
        case 'outbound':
          for (const other of others) cluster.blockLink(id, other, fault.mode);
          return { members: [id], heal };
        case 'inbound':
          for (const other of others) cluster.blockLink(other, id, fault.mode);
          return { members: [id], heal };
        case 'bridge': {
          const half = Math.floor(others.length / 2);
          const left = others.slice(0, half);
          const right = others.slice(half);
          for (const a of left) {
            for (const b of right) {
              cluster.blockLink(a, b, fault.mode);
              cluster.blockLink(b, a, fault.mode);
            }
          }
          return { members: [id], heal };
        }
      }
    }
  }
}

/**
 * Runs `schedule` to its end (or until `signal` aborts), healing each fault before the next.
 * Always leaves the cluster healed: network passing, nobody paused, every member started.
 */
export async function runFaults(
  cluster: ChaosCluster,
  schedule: readonly ScheduledFault[],
  options: RunFaultsOptions,
): Promise<FaultEvent[]> {
  const events: FaultEvent[] = [];
  const log = options.log ?? (() => {});
  const now = (): number => Date.now() - options.startedAtMs;
  // A heal can take a while (starting processes); later faults shift by that lateness so the
  // cluster always gets the planned quiet gap before the next fault.
  let lateMs = 0;
  try {
    for (const [index, step] of schedule.entries()) {
      if (index > 0) {
        const previous = schedule[index - 1]!;
        lateMs = Math.max(lateMs, now() - (previous.atMs + previous.durationMs));
      }
      await sleep(step.atMs + lateMs - now(), options.signal);
      if (options.signal?.aborted === true) break;
      const description = describeFault(step.fault);
      const { members, heal } = await apply(cluster, step.fault);
      events.push({ atMs: now(), action: 'fault', description, members });
      log(`chaos: +${(now() / 1000).toFixed(1)}s ${description}: ${members.join(' ')}`);
      await sleep(step.durationMs, options.signal);
      await heal();
      events.push({ atMs: now(), action: 'heal', description, members });
      log(`chaos: +${(now() / 1000).toFixed(1)}s healed ${description}`);
    }
  } finally {
    await cluster.healAll();
  }
  return events;
}
