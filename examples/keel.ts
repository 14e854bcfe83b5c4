/**
 * Shared by the examples: connects to the Keel started by `npm start` (ws://127.0.0.1:5181),
 * or to the members listed in KEEL_SERVERS (comma-separated).
 */
import { connect, type KeelClient } from '@keel/client';

export function connectToKeel(): Promise<KeelClient> {
  return connect({ servers: process.env.KEEL_SERVERS ?? 'ws://127.0.0.1:5181', sessionTimeoutMs: 10_000 });
}

/** A unique suffix so that examples run twice do not meet each other's nodes. */
export const run = Date.now().toString(36);
