/**
 * Scale workloads (`--scale`): memory per node at many nodes, many sessions, many watches, and
 * restart time. Memory is the resident set of the members (`/proc/<pid>/status` VmRSS), so it
 * includes runtime overhead (a JVM's heap growth, V8's); it is a rough figure per item.
 */
import { readFileSync } from 'node:fs';
import type { ClusterMember } from '../clusters/cluster';
import { type ClosedLoopOutcome, runClosedLoop } from '../load/closed-loop';
import { LatencyHistogram } from '../load/histogram';
import { waitForQuietMachine } from '../load/quiet-machine';
import type { Session } from '../targets/session';
import { WorkloadNotDoneError } from './not-done';
import { type CustomWorkload, ensureNode, payload } from './workload';

/** Resident memory of a process in bytes (0 when unknown). */
export function residentBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kib === undefined ? 0 : Number(kib) * 1024;
  } catch {
    return 0;
  }
}

function largestResident(members: readonly ClusterMember[]): number {
  return Math.max(...members.map((member) => residentBytes(member.process.pid)));
}

/**
 * The largest member's resident memory once the machine is quiet again (at most 10% busy over a
 * second, or after a minute). Right after a load a member may still be writing a snapshot
 * (Keel assembles one in memory, about 150 MB at 1,000,000 nodes) or hold garbage not yet
 * collected; memory per item is what stays.
 */
async function settledResident(members: readonly ClusterMember[]): Promise<number> {
  await waitForQuietMachine({ busyShareMax: 0.1, windowMs: 1_000, maxWaitMs: 60_000 });
  return largestResident(members);
}

function nodeCountFor(quick: boolean): number {
  return quick ? 100_000 : 1_000_000;
}

const scaleNodes: CustomWorkload = {
  kind: 'custom',
  name: 'scale-nodes',
  title: 'memory per node',
  scale: true,
  measures:
    'Creates 1,000,000 nodes of 100 B (100,000 with --quick) under 1,000 parents; extra.bytesPerNode = growth of the largest member RSS / nodes, read once the machine is quiet again (extra.bytesPerNodeAtEnd: read as the load ended).',
  async run({ cluster, driver, options, root }) {
    const nodes = nodeCountFor(options.quick);
    const sessions: Session[] = [];
    try {
      for (let i = 0; i < options.clients; i++) sessions.push(await driver.connect());
      const first = sessions[0];
      if (first === undefined) throw new Error('no session');
      await ensureNode(first, root);
      const parents = 1000;
      for (let i = 0; i < parents; i++) await ensureNode(first, `${root}/p${i}`);
      const before = largestResident(cluster.members);
      const data = payload(100);
      let next = 0;
      const outcome = await runClosedLoop({
        inflight: options.inflight,
        durationMs: 3_600_000,
        operationsMax: nodes,
        operation: async (worker) => {
          const index = next++;
          if (index >= nodes) return;
          const session = sessions[worker % sessions.length];
          if (session === undefined) throw new Error('no session');
          await session.create(`${root}/p${index % parents}/n${index}`, data);
        },
      });
      const atEnd = largestResident(cluster.members);
      const after = await settledResident(cluster.members);
      const nodesCreated = Math.max(1, outcome.operations);
      return {
        outcome,
        extra: {
          nodes: outcome.operations,
          bytesPerNode: (after - before) / nodesCreated,
          bytesPerNodeAtEnd: (atEnd - before) / nodesCreated,
          residentMiB: after / 2 ** 20,
        },
      };
    } finally {
      await Promise.all(sessions.map((session) => session.close().catch(() => {})));
    }
  },
};

const scaleSessions: CustomWorkload = {
  kind: 'custom',
  name: 'scale-sessions',
  title: '10k sessions',
  scale: true,
  measures:
    'Opens 10,000 sessions (2,000 with --quick), each holding one ephemeral node, 64 at a time; ops/s = sessions opened per second; extra.bytesPerSession from the largest member RSS once the machine is quiet again.',
  async run({ cluster, driver, options, root }) {
    const count = options.quick ? 2000 : 10_000;
    const sessions: Session[] = [];
    try {
      const first = await driver.connect();
      sessions.push(first);
      await ensureNode(first, root);
      const before = largestResident(cluster.members);
      let next = 0;
      const outcome = await runClosedLoop({
        inflight: 64,
        durationMs: 3_600_000,
        operationsMax: count,
        operation: async () => {
          const index = next++;
          const session = await driver.connect();
          sessions.push(session);
          await session.create(`${root}/s${index}`, payload(10), 'ephemeral');
        },
      });
      const after = await settledResident(cluster.members);
      return {
        outcome,
        extra: { sessions: outcome.operations, bytesPerSession: (after - before) / Math.max(1, outcome.operations) },
      };
    } finally {
      await Promise.all(sessions.map((session) => session.close().catch(() => {})));
    }
  },
};

const scaleWatches: CustomWorkload = {
  kind: 'custom',
  name: 'scale-watches',
  title: '100k watches',
  scale: true,
  measures:
    'Registers 100,000 data watches (10,000 with --quick): 100 sessions each watching 1,000 nodes; ops/s = watches registered per second; extra.bytesPerWatch from the largest member RSS once the machine is quiet again.',
  async run({ cluster, driver, options, root }) {
    const perSession = 1000;
    const sessionCount = options.quick ? 10 : 100;
    const sessions: Session[] = [];
    try {
      for (let i = 0; i < sessionCount; i++) sessions.push(await driver.connect());
      const first = sessions[0];
      if (first === undefined) throw new Error('no session');
      await ensureNode(first, root);
      for (let i = 0; i < perSession; i++) await ensureNode(first, `${root}/n${i}`, payload(10));
      const before = largestResident(cluster.members);
      let next = 0;
      const outcome = await runClosedLoop({
        inflight: sessionCount,
        durationMs: 3_600_000,
        operationsMax: sessionCount * perSession,
        operation: async () => {
          const index = next++;
          const session = sessions[index % sessionCount];
          if (session === undefined) throw new Error('no session');
          await session.watchData(`${root}/n${Math.floor(index / sessionCount) % perSession}`, () => {});
        },
      });
      const after = await settledResident(cluster.members);
      const watches = outcome.operations;
      return { outcome, extra: { watches, bytesPerWatch: (after - before) / Math.max(1, watches) } };
    } finally {
      await Promise.all(sessions.map((session) => session.close().catch(() => {})));
    }
  },
};

/** The outcome of a workload whose one figure is how long one thing took (its histogram holds that). */
function oneTimedOperation(ms: number): ClosedLoopOutcome {
  const histogram = new LatencyHistogram();
  histogram.record(ms * 1000);
  return { histogram, operations: 1, errors: 0, elapsedMs: ms, generatorCpu: 0 };
}

const scaleSnapshot: CustomWorkload = {
  kind: 'custom',
  name: 'scale-snapshot',
  title: 'snapshot time',
  scale: true,
  measures:
    "The longest snapshot of the whole state so far (after scale-nodes when run together: about 1,000,000 nodes), as the system reports it: Keel /status snapshots.maxMs, ZooKeeper mntr zk_max_snapshottime (both the members' own periodic snapshots, taken under the create load); etcd, whose Raft snapshots do not hold the key space, a backend snapshot streamed from the leader (etcdctl snapshot save); extra.snapshotMs, extra.snapshotBytes.",
  async run({ cluster }) {
    const times = await cluster.snapshotTimes();
    return {
      outcome: oneTimedOperation(times.ms),
      extra: { snapshotMs: times.ms, ...(times.bytes === null ? {} : { snapshotBytes: times.bytes }) },
      note: `longest of ${times.count} snapshot(s): ${times.source}`,
    };
  },
};

const scaleRestart: CustomWorkload = {
  kind: 'custom',
  name: 'scale-restart',
  title: 'member restart',
  scale: true,
  measures:
    'Restarts one follower on its data (after scale-nodes when run together: about 1,000,000 nodes) and times it from start until it serves again (state loaded, leader known); extra.restartMs.',
  async run({ cluster }) {
    const leader = await cluster.leader();
    const follower = cluster.members.find((member) => member.id !== leader.id);
    if (follower === undefined) throw new WorkloadNotDoneError('no follower to restart');
    const residentBefore = residentBytes(follower.process.pid);
    const restartMs = await cluster.restartMember(follower);
    return {
      outcome: oneTimedOperation(restartMs),
      extra: { restartMs, residentMiBBefore: residentBefore / 2 ** 20 },
      note: `restarted follower ${follower.id}`,
    };
  },
};

/** The `--scale` workloads. */
export const scaleWorkloads: readonly CustomWorkload[] = [
  scaleNodes,
  scaleSnapshot,
  scaleSessions,
  scaleWatches,
  scaleRestart,
];
