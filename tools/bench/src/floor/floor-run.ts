/**
 * The floor: what a replicated, durable write and a lock hand-over cost on this machine when
 * nothing but the transport and the disk is in the way. Three `floor-member` processes (a
 * leader and two followers, see there) on loopback; first one client writes one write at a time,
 * then two clients pass a lock to each other the way the `lock-2` workload does (the holder
 * writes its release, the other client's turn comes when that write is committed, and the old
 * holder then writes its next request). Keel's figures over these are what Raft, the data tree,
 * sessions and the protocol cost; a target beyond the floor is out of reach of any member built
 * on the same primitives.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { freePorts } from '@keel/chaos';
import { repositoryRoot } from '../clusters/keel';
import { removeOnSignal, spawnTracked, stopProcess, type TrackedProcess } from '../clusters/processes';
import { withTimeout } from '../load/closed-loop';
import { LatencyHistogram } from '../load/histogram';
import { quietBusyShareMax, quietWindowMs, waitForQuietMachine } from '../load/quiet-machine';
import { latencySummary } from '../load/summary';
import type { LatencySummary } from '../results';
import { connectFloor, FloorKind, floorWrite } from './floor-wire';

/** How long each part of the floor runs. */
export interface FloorOptions {
  /** Measured time of each phase. */
  readonly durationMs: number;
  /** Unmeasured load before each phase (JIT, page cache). */
  readonly warmupMs: number;
  /** Where the members' files go (a temporary directory inside it, removed afterwards). */
  readonly baseDir?: string;
  /** Longest wait for a quiet machine before each phase (0: none). */
  readonly quietWaitMs?: number;
}

/** CPU time per operation, in microseconds, of each process. */
export interface FloorCpu {
  readonly leader: number;
  readonly followers: readonly [number, number];
  /** The process driving the load (this one). */
  readonly client: number;
  readonly total: number;
}

/** One measured phase. */
export interface FloorPhase {
  readonly operations: number;
  readonly opsPerSec: number;
  /** Per write (sequential) or per hand-over (the time from one turn to the next). */
  readonly latency: LatencySummary;
  readonly cpuMicrosPerOp: FloorCpu;
}

/** Both phases. */
export interface FloorResult {
  /** One client, one write at a time: a write's round trip. */
  readonly sequential: FloorPhase;
  /** Two clients passing a lock: hand-overs, two writes each. */
  readonly handOver: FloorPhase;
}

/** A member that answers nothing for this long has failed; the run stops instead of hanging. */
const stallMs = 5000;

/** The built member entry point: beside this bundle in `dist/`, else the bench's `dist/` (run from `src/`). */
export function floorMemberScript(): string {
  const beside = fileURLToPath(new URL('./floor-member.js', import.meta.url));
  if (existsSync(beside)) return beside;
  const built = join(repositoryRoot(), 'tools', 'bench', 'dist', 'floor-member.js');
  if (existsSync(built)) return built;
  throw new Error('floor-member.js is missing: run npx nx run @keel/bench:build');
}

/** Runs the floor: starts three members, measures both phases, stops them. */
export async function runFloor(options: FloorOptions): Promise<FloorResult> {
  // A base directory that does not exist yet is made, as `keel-bench --base-dir` does.
  if (options.baseDir !== undefined) await mkdir(options.baseDir, { recursive: true });
  const dir = await mkdtemp(join(options.baseDir ?? tmpdir(), 'keel-floor-'));
  const cleanup = removeOnSignal(dir);
  const members: TrackedProcess[] = [];
  try {
    const [leaderPort, firstPort, secondPort] = (await freePorts(3)) as [number, number, number];
    const script = floorMemberScript();
    const start = async (name: string, args: readonly string[]): Promise<void> => {
      const member = spawnTracked(name, process.execPath, [script, ...args], { logFile: join(dir, `${name}.log`) });
      members.push(member);
      await readyLine(member);
    };
    await start('follower-1', ['follower', String(firstPort), join(dir, 'follower-1.data')]);
    await start('follower-2', ['follower', String(secondPort), join(dir, 'follower-2.data')]);
    await start('leader', [
      'leader',
      String(leaderPort),
      join(dir, 'leader.data'),
      String(firstPort),
      String(secondPort),
    ]);
    const ports = [leaderPort, firstPort, secondPort] as const;
    const measure = async (phase: (durationMs: number, histogram: LatencyHistogram) => Promise<number>) => {
      await phase(options.warmupMs, new LatencyHistogram());
      if ((options.quietWaitMs ?? 0) > 0) {
        await waitForQuietMachine({
          busyShareMax: quietBusyShareMax,
          windowMs: quietWindowMs,
          maxWaitMs: options.quietWaitMs ?? 0,
        });
      }
      return measurePhase(ports, options.durationMs, phase);
    };
    const sequential = await measure((ms, histogram) => writeOneAtATime(leaderPort, ms, histogram));
    const handOver = await measure((ms, histogram) => handOverLock(leaderPort, ms, histogram));
    return { sequential, handOver };
  } finally {
    await Promise.all(members.map((member) => stopProcess(member)));
    await rm(dir, { recursive: true, force: true });
    cleanup.forget();
  }
}

async function measurePhase(
  ports: readonly [number, number, number],
  durationMs: number,
  phase: (durationMs: number, histogram: LatencyHistogram) => Promise<number>,
): Promise<FloorPhase> {
  const histogram = new LatencyHistogram();
  const before = await Promise.all(ports.map(cpuOf));
  const clientBefore = process.cpuUsage();
  const startedAt = performance.now();
  const operations = await phase(durationMs, histogram);
  const elapsedMs = performance.now() - startedAt;
  const clientUsed = process.cpuUsage(clientBefore);
  const after = await Promise.all(ports.map(cpuOf));
  const perOp = (micros: number) => (operations === 0 ? 0 : Math.round(micros / operations));
  const [leader, first, second] = after.map((used, index) => perOp(used - (before[index] ?? 0))) as [
    number,
    number,
    number,
  ];
  const client = perOp(clientUsed.user + clientUsed.system);
  return {
    operations,
    opsPerSec: Math.round((operations * 1000) / elapsedMs),
    latency: latencySummary(histogram),
    cpuMicrosPerOp: { leader, followers: [first, second], client, total: leader + first + second + client },
  };
}

function readyLine(member: TrackedProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (seen.includes('ready\n')) {
        member.child.stdout?.off('data', onData);
        resolve();
      }
    };
    member.child.stdout?.on('data', onData);
    member.exited.then((how) => reject(new Error(`${member.name} exited (${how}) before it was ready`)));
  });
}

/** CPU microseconds a member used so far, asked on a connection of its own. */
async function cpuOf(port: number): Promise<number> {
  const socket = await connectFloor(port);
  try {
    return await new Promise<number>((resolve, reject) => {
      socket.on('message', (data: Buffer) => {
        if (data[0] === FloorKind.cpu) resolve(data.readDoubleLE(1));
      });
      socket.once('error', reject);
      socket.send(Buffer.from([FloorKind.cpu]));
    });
  } finally {
    socket.close();
  }
}

/** One client writes one write at a time for `durationMs`; returns how many were answered. */
async function writeOneAtATime(port: number, durationMs: number, histogram: LatencyHistogram): Promise<number> {
  const socket = await connectFloor(port);
  try {
    const endAt = performance.now() + durationMs;
    let sequence = 0;
    while (performance.now() < endAt) {
      const sentAt = performance.now();
      await withTimeout(
        new Promise<void>((resolve) => {
          socket.once('message', () => resolve());
          socket.send(floorWrite(sequence++, false));
        }),
        stallMs,
        'a floor write',
      );
      histogram.record((performance.now() - sentAt) * 1000);
    }
    return sequence;
  } finally {
    socket.close();
  }
}

/**
 * Two clients pass a lock for `durationMs`: on its turn a client writes its release; once that
 * is answered, it writes its next request (the `lock-2` workload's pattern: two writes per
 * hand-over). Returns the number of hand-overs; the histogram gets the time between turns.
 */
async function handOverLock(port: number, durationMs: number, histogram: LatencyHistogram): Promise<number> {
  const sockets = [await connectFloor(port), await connectFloor(port)];
  let stall: NodeJS.Timeout | undefined;
  try {
    const endAt = performance.now() + durationMs;
    let sequence = 0;
    let handOvers = 0;
    let lastTurnAt = performance.now();
    await new Promise<void>((resolve, reject) => {
      const watchdog = () => {
        clearTimeout(stall);
        stall = setTimeout(() => reject(new Error(`no turn came for ${stallMs} ms`)), stallMs);
      };
      watchdog();
      for (const socket of sockets) {
        let releasing = false;
        socket.on('message', (data: Buffer) => {
          if (data[0] === FloorKind.turn) {
            const now = performance.now();
            handOvers += 1;
            histogram.record((now - lastTurnAt) * 1000);
            lastTurnAt = now;
            watchdog();
            if (now >= endAt) return resolve();
            releasing = true;
            socket.send(floorWrite(sequence++, true));
          } else if (data[0] === FloorKind.answer && releasing) {
            releasing = false;
            socket.send(floorWrite(sequence++, false));
          }
        });
      }
      // The first client holds the lock; its release starts the exchange.
      sockets[0]?.send(floorWrite(sequence++, true));
    });
    return handOvers;
  } finally {
    clearTimeout(stall);
    for (const socket of sockets) socket.close();
  }
}
