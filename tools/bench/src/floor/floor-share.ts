/**
 * Keel's figures as a share of the floor's, phase by phase: a create one at a time against the
 * floor's one write at a time, `lock-2` against the floor's hand-overs. A share near 1 would mean
 * Keel's consensus and coordination cost nothing beyond the transport and the disk.
 */
import type { WorkloadResult } from '../results';
import type { FloorPhase, FloorResult } from './floor-run';

/** One phase of the floor next to the Keel workload that does the same. */
export interface FloorShare {
  readonly phase: string;
  readonly floorOpsPerSec: number;
  readonly keelWorkload: string;
  readonly keelOpsPerSec: number;
  /** Keel's ops/s over the floor's. */
  readonly share: number;
}

/** Keel's measured results. */
export interface KeelAgainstFloor {
  /** `create` with one request in flight on one session. */
  readonly oneAtATime?: WorkloadResult;
  /** `lock-2`. */
  readonly handOver?: WorkloadResult;
}

function shareOf(phase: string, floor: FloorPhase, keel: WorkloadResult | undefined): FloorShare[] {
  if (keel === undefined || keel.status !== 'ok' || floor.opsPerSec <= 0) return [];
  return [
    {
      phase,
      floorOpsPerSec: floor.opsPerSec,
      keelWorkload: keel.workload,
      keelOpsPerSec: keel.opsPerSec,
      share: keel.opsPerSec / floor.opsPerSec,
    },
  ];
}

/** The shares of the phases Keel was measured in (none for a failed or missing result). */
export function floorShares(floor: FloorResult, keel: KeelAgainstFloor): FloorShare[] {
  return [
    ...shareOf('one write at a time', floor.sequential, keel.oneAtATime),
    ...shareOf('lock hand-over (2 clients)', floor.handOver, keel.handOver),
  ];
}
