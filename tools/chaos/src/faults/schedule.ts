/**
 * The fault schedule of a run, drawn from a seed: the same seed, duration, member count and
 * fault kinds always give the same schedule. Targets are symbolic ("the leader", "member 2"), so
 * which process is hit depends on the cluster at that moment; the run's event log records what
 * was actually done.
 *
 * Faults happen one at a time: each starts, lasts `durationMs`, and is healed before the next
 * one starts, with a quiet gap between. Every fault lasts longer than an election timeout
 * (500-1000 ms at the server's defaults) so that it can change who leads, and a share of them
 * longer than the workloads' session timeout, so that sessions expire behind a partition.
 */
import { mulberry32 } from '@keel/raft';

/**
 * The fault kinds a run may use (the CLI's `--faults`). `delay` slows every link to and from
 * the target by a drawn 100-1000 ms (both directions), around an election timeout.
 */
export type FaultKind = 'kill' | 'pause' | 'partition' | 'restart' | 'delay';

/** The default fault kinds (the CLI's default `--faults`). */
export const faultKinds: readonly FaultKind[] = ['kill', 'pause', 'partition', 'restart'];

/** Every fault kind the schedule knows. */
export const allFaultKinds: readonly FaultKind[] = [...faultKinds, 'delay'];

/** Who a fault hits: the current leader, or the member at `index` (0-based, in id order). */
export type FaultTarget = { readonly kind: 'leader' } | { readonly kind: 'member'; readonly index: number };

/**
 * The shape of a partition around its target t:
 * - `isolate`: t alone, both directions cut;
 * - `minority`: t and up to (N-1)/2 - 1 others against the rest (for 3 members, as `isolate`);
 * - `outbound`: t's messages to everyone are lost, everyone's messages still reach t;
 * - `inbound`: nobody's messages reach t, t's messages still reach everyone;
 * - `bridge`: two halves that cannot talk to each other, t talks to both (Jepsen's bridge).
 */
export type PartitionShape = 'isolate' | 'minority' | 'outbound' | 'inbound' | 'bridge';

/** One planned fault. */
export type PlannedFault =
  | { readonly kind: 'kill'; readonly target: FaultTarget }
  | { readonly kind: 'pause'; readonly target: FaultTarget }
  | {
      readonly kind: 'partition';
      readonly target: FaultTarget;
      readonly shape: PartitionShape;
      /** `drop`: bytes vanish silently; `cut`: connections are reset and refused. */
      readonly mode: 'drop' | 'cut';
    }
  | { readonly kind: 'restart' }
  | { readonly kind: 'delay'; readonly target: FaultTarget; readonly delayMs: number };

/** A fault and when, relative to the start of the workload. */
export interface ScheduledFault {
  readonly atMs: number;
  readonly durationMs: number;
  readonly fault: PlannedFault;
}

/** What a schedule is drawn from. */
export interface ScheduleOptions {
  readonly seed: number;
  /** Length of the workload phase; faults end before it does. */
  readonly durationMs: number;
  readonly nodes: number;
  readonly kinds: readonly FaultKind[];
  /** Fault-free time at the start (default 1 s). */
  readonly warmupMs?: number;
  /** Shortest and longest fault (default 1.5 s to 4 s). */
  readonly faultMsMin?: number;
  readonly faultMsMax?: number;
  /** Shortest and longest quiet gap between faults (default 0.5 s to 2.5 s). */
  readonly gapMsMin?: number;
  readonly gapMsMax?: number;
}

/** Share of kill, pause and partition faults that last longer than a session timeout. */
export const longFaultShare = 0.2;
/** Long faults last this long: beyond the workloads' 8 s session timeout. */
export const longFaultMsMin = 9_000;
export const longFaultMsMax = 12_000;

/** Draws the schedule; pure. */
export function planFaults(options: ScheduleOptions): ScheduledFault[] {
  const random = mulberry32(options.seed >>> 0);
  const between = (min: number, max: number): number => Math.round(min + random() * (max - min));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const warmupMs = options.warmupMs ?? 1_000;
  const faultMsMin = options.faultMsMin ?? 1_500;
  const faultMsMax = options.faultMsMax ?? 4_000;
  const gapMsMin = options.gapMsMin ?? 500;
  const gapMsMax = options.gapMsMax ?? 2_500;
  const kinds = [...new Set(options.kinds)];
  const shapes: PartitionShape[] =
    options.nodes >= 5
      ? ['isolate', 'minority', 'outbound', 'inbound', 'bridge']
      : ['isolate', 'minority', 'outbound', 'inbound'];
  const schedule: ScheduledFault[] = [];
  if (kinds.length === 0 || options.nodes < 2) return schedule;
  let atMs = warmupMs;
  for (;;) {
    const kind = pick(kinds);
    // Some faults outlast the session timeout, so sessions expire while a member is cut off.
    const long = kind !== 'restart' && random() < longFaultShare;
    const shortMs = between(faultMsMin, faultMsMax);
    const longMs = between(longFaultMsMin, longFaultMsMax);
    // A long fault that does not fit in what is left of the run becomes a short one.
    const durationMs = long && atMs + longMs <= options.durationMs ? longMs : shortMs;
    if (atMs + durationMs > options.durationMs) break;
    const target: FaultTarget =
      random() < 0.5 ? { kind: 'leader' } : { kind: 'member', index: Math.floor(random() * options.nodes) };
    let fault: PlannedFault;
    switch (kind) {
      case 'kill':
      case 'pause':
        fault = { kind, target };
        break;
      case 'partition':
        fault = { kind, target, shape: pick(shapes), mode: random() < 0.7 ? 'drop' : 'cut' };
        break;
      case 'restart':
        fault = { kind };
        break;
      case 'delay':
        fault = { kind, target, delayMs: between(100, 1_000) };
        break;
    }
    schedule.push({ atMs, durationMs, fault });
    atMs += durationMs + between(gapMsMin, gapMsMax);
  }
  return schedule;
}

/** One line describing a planned fault, for logs. */
export function describeFault(fault: PlannedFault): string {
  const target = (t: FaultTarget): string => (t.kind === 'leader' ? 'leader' : `member #${t.index + 1}`);
  switch (fault.kind) {
    case 'kill':
      return `kill -9 ${target(fault.target)}`;
    case 'pause':
      return `SIGSTOP ${target(fault.target)}`;
    case 'partition':
      return `partition ${fault.shape} around ${target(fault.target)} (${fault.mode})`;
    case 'restart':
      return 'kill -9 every member and restart the cluster';
    case 'delay':
      return `delay every link of ${target(fault.target)} by ${fault.delayMs} ms`;
  }
}

/** Parses `kill,pause,...`; throws a RangeError naming an unknown kind. */
export function parseFaultKinds(text: string): FaultKind[] {
  if (text.trim() === '' || text === 'none') return [];
  return text.split(',').map((raw) => {
    const kind = raw.trim();
    if (!(allFaultKinds as readonly string[]).includes(kind)) {
      throw new RangeError(`unknown fault kind ${JSON.stringify(kind)} (expected ${allFaultKinds.join(', ')})`);
    }
    return kind as FaultKind;
  });
}
