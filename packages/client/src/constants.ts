/**
 * Named defaults and limits of the Keel client, with start-up assertions relating them.
 */

/** Session timeout requested when the caller names none (the member grants one within its bounds). */
export const defaultSessionTimeoutMs = 30_000;

/** How long a request may wait for its answer, queued time included, unless the call says otherwise. */
export const defaultRequestTimeoutMs = 10_000;

/** How long the first `connect()` may try members before giving up. */
export const defaultConnectTimeoutMs = 10_000;

/** Shortest and longest ceiling of the randomised delay between reconnection attempts. */
export const defaultBackoffMsMin = 50;
export const defaultBackoffMsMax = 2_000;

/** Shortest time one connection attempt (socket open and handshake) is given. */
export const attemptTimeoutMsMin = 1_000;

/** Most requests waiting for an answer or for a connection; more are refused with `Throttled` (the member's limit). */
export const pendingRequestsMax = 4096;

/** Most events a watch stream holds for a slow consumer before it drops them for one `resyncNeeded`. */
export const watchEventsQueuedMax = 10_000;

/**
 * A connected client pings when it has sent nothing for this fraction of the session timeout,
 * and drops a connection that has sent nothing for `readTimeoutFraction` of it (ZooKeeper's
 * one third and two thirds).
 */
export const pingFraction = 1 / 3;
export const readTimeoutFraction = 2 / 3;

if (defaultBackoffMsMin > defaultBackoffMsMax) throw new Error('defaultBackoffMsMin above defaultBackoffMsMax');
if (pingFraction >= readTimeoutFraction) throw new Error('pings must be more frequent than the read timeout');
if (readTimeoutFraction >= 1) throw new Error('the read timeout must end before the session does');
