/**
 * Instances a client found failing, left out of a ServiceProvider's picks for a while (Curator's
 * DownInstancePolicy / DownInstanceManager).
 */
import { downInstanceErrorThresholdDefault, downInstanceTimeoutMsDefault } from '../constants';
import type { ServiceInstance } from './service-instance';

/** When an instance counts as down and for how long. */
export interface DownInstancePolicy {
  /** How long an instance stays down (default 30 s). */
  readonly timeoutMs?: number;
  /** Errors noted before it counts as down (default 2). */
  readonly errorThreshold?: number;
}

/** The down notes of one provider. */
export class DownInstances {
  private readonly notes = new Map<string, { errors: number; since: number }>();
  private readonly timeoutMs: number;
  private readonly errorThreshold: number;

  constructor(
    policy: DownInstancePolicy = {},
    private readonly now: () => number = Date.now,
  ) {
    this.timeoutMs = policy.timeoutMs ?? downInstanceTimeoutMsDefault;
    this.errorThreshold = policy.errorThreshold ?? downInstanceErrorThresholdDefault;
  }

  /** Notes one error against an instance. */
  add(instance: ServiceInstance<unknown>): void {
    this.expire();
    const note = this.notes.get(instance.id);
    if (note === undefined) this.notes.set(instance.id, { errors: 1, since: this.now() });
    else note.errors += 1;
  }

  /** Whether an instance is down now. */
  isDown(instance: ServiceInstance<unknown>): boolean {
    this.expire();
    return (this.notes.get(instance.id)?.errors ?? 0) >= this.errorThreshold;
  }

  private expire(): void {
    const now = this.now();
    for (const [id, note] of this.notes) if (now - note.since >= this.timeoutMs) this.notes.delete(id);
  }
}
