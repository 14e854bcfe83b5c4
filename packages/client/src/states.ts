/**
 * The connection states a client reports, Curator's names (DESIGN §4).
 *
 * - `connected`: the first session is open.
 * - `suspended`: the connection is gone; the session may still be alive on the members. Pause
 *   work that needs the session (a lock holder must assume it may lose the lock).
 * - `reconnected`: a connection is back: the same session after `suspended`, or a fresh one
 *   after `lost`.
 * - `lost`: the session is gone (expired on the members, or not resumed within its timeout);
 *   its ephemeral nodes are, or will be, deleted. The client goes on reconnecting with a new
 *   session.
 * - `closed`: `close()` was called; the client is done.
 */
export type ConnectionState = 'connected' | 'suspended' | 'reconnected' | 'lost' | 'closed';

/** Whether a state means the client has a live connection and session. */
export function isConnectedState(state: ConnectionState): boolean {
  return state === 'connected' || state === 'reconnected';
}
