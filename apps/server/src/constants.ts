/**
 * Named limits of the Keel server. Client-facing limits (data, path, multi size) come from
 * `@keel/protocol`; these are the server's own.
 */
import { dataBytesMax, frameBytesMax } from '@keel/protocol';

/**
 * Largest encoded command in a Raft entry. Commands carry node data as base64 inside JSON, so
 * a request of `frameBytesMax` grows by a third; the margin covers the JSON around it.
 */
export const commandBytesMax = Math.ceil((frameBytesMax * 4) / 3) + 64 * 1024;

/** Version of the command encoding; a member refuses commands of another version. */
export const commandFormatVersion = 1;

/**
 * Version of the snapshot format members write, its first byte. `restore` also reads version 1
 * (JSON, which starts with `{`) and refuses any other.
 */
export const snapshotFormatVersion = 2;

/** Longest granted session timeout a command may carry (one day). */
export const sessionTimeoutMsMax = 24 * 60 * 60 * 1000;

/** Largest version a command may expect (ZooKeeper's versions are 32-bit signed integers). */
export const expectedVersionMax = 2 ** 31 - 1;

/** Longest TTL a TTL node may have (ZooKeeper's limit is about 2^40 ms; ten years is plenty). */
export const ttlMsMax = 10 * 365 * 24 * 60 * 60 * 1000;

/** Most session ids in one `touchSessions` command; a member with more sends several. */
export const touchSessionsMax = 1024;

/**
 * Request ids the state machine remembers to apply each only once (a forwarded command delivered
 * twice). Duplicates arrive close together, so a window of recent ids is enough; it is part of
 * the replicated state and of snapshots, and evicted oldest first, identically on every member.
 * Commands of a session's connection are also numbered (`Session.sequence`), which alone
 * refuses their repeats; this table covers every command, and costs snapshot bytes per id.
 */
export const recentRequestsMax = 8_192;

// Start-up assertions: a command must be able to carry the largest node data.
if (commandBytesMax < Math.ceil((dataBytesMax * 4) / 3)) throw new Error('commandBytesMax too small for dataBytesMax');
