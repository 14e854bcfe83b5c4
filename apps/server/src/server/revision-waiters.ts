/**
 * Requests waiting for this member to apply a revision (a client's last-seen revision, DESIGN
 * §3 "never back in time"). One list for the member, released from one `applied` listener, so
 * a thousand reconnecting clients cost a thousand entries, not a thousand event listeners.
 */
import { TimeoutError } from '@keel/protocol';

interface Waiting {
  readonly revision: number;
  readonly resolve: () => void;
  readonly timer: NodeJS.Timeout;
}

/** Promises that resolve once the applied revision reaches theirs. */
export class RevisionWaiters {
  private waiting = new Set<Waiting>();

  constructor(
    private readonly applied: () => number,
    private readonly timeoutMs: number,
  ) {}

  /** Resolves once `revision` is applied; rejects with `TimeoutError` after the timeout. */
  wait(revision: number): Promise<void> {
    if (this.applied() >= revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const entry: Waiting = {
        revision,
        resolve,
        timer: setTimeout(() => {
          this.waiting.delete(entry);
          reject(new TimeoutError(`revision ${revision} not applied within ${this.timeoutMs} ms`));
        }, this.timeoutMs),
      };
      this.waiting.add(entry);
    });
  }

  /** Called after entries were applied: releases every waiter the applied revision reached. */
  release(): void {
    if (this.waiting.size === 0) return;
    const applied = this.applied();
    for (const entry of this.waiting) {
      if (entry.revision > applied) continue;
      clearTimeout(entry.timer);
      this.waiting.delete(entry);
      entry.resolve();
    }
  }
}
