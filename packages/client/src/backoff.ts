/**
 * Reconnection policy: the member order of each round, and the delay between attempts.
 */

/** A source of numbers in [0, 1); injected so tests can replay a choice. */
export type RandomSource = () => number;

/** The members in a random order (Fisher-Yates), with `last` moved to the end when given. */
export function memberRound(servers: readonly string[], random: RandomSource, last?: string): string[] {
  const order = [...servers];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const held = order[i]!;
    order[i] = order[j]!;
    order[j] = held;
  }
  if (last !== undefined) {
    const at = order.indexOf(last);
    if (at >= 0 && order.length > 1) {
      order.splice(at, 1);
      order.push(last);
    }
  }
  return order;
}

/**
 * The delay before attempt `attempt` (1 = the first retry): "full jitter", a uniform draw below
 * an exponentially growing ceiling, so many clients cut off at once do not return in step.
 */
export function backoffDelayMs(attempt: number, minMs: number, maxMs: number, random: RandomSource): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.floor(random() * ceiling);
}
