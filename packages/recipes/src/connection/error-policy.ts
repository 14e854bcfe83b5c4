/**
 * Which connection states a recipe treats as the loss of what it holds (Curator's
 * ConnectionStateErrorPolicy).
 */

/** The connection states of a Keel client, as Curator names them. */
export type ConnectionState = 'connected' | 'suspended' | 'reconnected' | 'lost' | 'closed';

/** Decides whether a connection state revokes leadership, locks and leases. */
export interface ConnectionStateErrorPolicy {
  /** A short name, for logs. */
  readonly name: string;
  /** Whether `state` means "what you hold is gone". `lost` and `closed` always are. */
  isErrorState(state: ConnectionState): boolean;
}

/**
 * Curator's default: `suspended` and `lost` are errors. A holder stops as soon as its
 * connection drops, before the session could expire, so two holders never overlap as long as
 * the connection loss is noticed before the session timeout.
 */
export const standardErrorPolicy: ConnectionStateErrorPolicy = Object.freeze({
  name: 'standard',
  isErrorState: (state: ConnectionState) => state === 'suspended' || state === 'lost' || state === 'closed',
});

/**
 * Curator's SessionConnectionStateErrorPolicy: only `lost` is an error. A holder keeps its lock
 * through a suspension and re-checks its node on `reconnected`. Safer for availability, but a
 * holder that is partitioned away may still act until it learns of the expiry: use fencing tokens.
 */
export const sessionErrorPolicy: ConnectionStateErrorPolicy = Object.freeze({
  name: 'session',
  isErrorState: (state: ConnectionState) => state === 'lost' || state === 'closed',
});
