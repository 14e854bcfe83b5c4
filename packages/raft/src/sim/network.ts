/**
 * The simulated network: decides for each message whether it is dropped, duplicated and
 * how long it takes. Reordering falls out of independent random delays. Partitions block
 * directed links, so a partition can be symmetric (both directions) or asymmetric.
 */
import type { NodeId } from '../core/types';
import type { Prng } from './prng';

/** Fault rates of one run, drawn from its seed. */
export interface NetworkFaults {
  /** Probability that a message is lost. */
  readonly dropRate: number;
  /** Probability that a message is delivered twice. */
  readonly duplicateRate: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** Probability that a message takes up to `slowDelayMs` instead (a long tail). */
  readonly slowRate: number;
  readonly slowDelayMs: number;
}

/** Draws a run's network fault rates. */
export function drawNetworkFaults(random: Prng): NetworkFaults {
  const minDelayMs = random.int(0, 3);
  return {
    dropRate: random.chance(0.2) ? 0 : random.float(0, 0.15),
    duplicateRate: random.chance(0.3) ? 0 : random.float(0, 0.05),
    minDelayMs,
    maxDelayMs: minDelayMs + random.int(1, 20),
    slowRate: random.float(0, 0.03),
    slowDelayMs: random.int(30, 300),
  };
}

/** A network with no faults but ordinary delays, for the liveness phase. */
export function healedFaults(faults: NetworkFaults): NetworkFaults {
  return { ...faults, dropRate: 0, duplicateRate: 0, slowRate: 0 };
}

/** Link state and per-message fault decisions. */
export class SimNetwork {
  private readonly blocked = new Set<string>();

  constructor(
    private readonly random: Prng,
    public faults: NetworkFaults,
  ) {}

  /** Delivery delays for one message: empty when dropped, two when duplicated. */
  deliveries(from: NodeId, to: NodeId): number[] {
    if (this.blocked.has(link(from, to))) return [];
    if (this.random.chance(this.faults.dropRate)) return [];
    const out = [this.delay()];
    if (this.random.chance(this.faults.duplicateRate)) out.push(this.delay());
    return out;
  }

  /** True when a message sent now from `from` would still be blocked on arrival. */
  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.blocked.has(link(from, to));
  }

  /** Cuts every link between the two groups; `oneWay` cuts only `a -> b`. */
  partition(a: readonly NodeId[], b: readonly NodeId[], oneWay: boolean): void {
    for (const x of a) {
      for (const y of b) {
        this.blocked.add(link(x, y));
        if (!oneWay) this.blocked.add(link(y, x));
      }
    }
  }

  heal(): void {
    this.blocked.clear();
  }

  get partitioned(): boolean {
    return this.blocked.size > 0;
  }

  private delay(): number {
    const f = this.faults;
    if (this.random.chance(f.slowRate)) return this.random.int(f.maxDelayMs, f.slowDelayMs);
    return this.random.int(f.minDelayMs, f.maxDelayMs);
  }
}

function link(from: NodeId, to: NodeId): string {
  return `${from}>${to}`;
}
