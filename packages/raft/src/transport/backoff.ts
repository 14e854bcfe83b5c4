/**
 * Reconnect delays: exponential in the number of failed attempts, capped, with jitter so that
 * members that lost the same peer do not all knock on its door at the same moment.
 */

/** Delay before reconnect attempt `attempt` (1 for the first retry): in [cap / 2, cap]. */
export function reconnectDelayMs(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const cap = Math.min(maxMs, minMs * 2 ** exponent);
  return Math.round(cap / 2 + (random() * cap) / 2);
}
