/**
 * Named limits of @keel/raft. Each area appends its own block; keep names unit-suffixed
 * (`...BytesMax`, `...Ms`) so a reader never has to guess the unit.
 */

// --- Peer codec (codec/) ---

/** Largest peer frame, in bytes, accepted or produced by the codec (and the ws `maxPayload`). */
export const peerFrameBytesMax = 16 * 1024 * 1024;
/** Most messages in one peer frame; bigger batches are split across frames by the transport. */
export const peerFrameMessagesMax = 16_384;
/** Most entries in one append message (well above the core's default `maxEntriesPerAppend`). */
export const peerMessageEntriesMax = 65_536;
/** Most members (voters plus learners) in a ConfState carried by a snapshot message. */
export const peerConfMembersMax = 1_024;
/** Longest node id, in UTF-8 bytes. */
export const nodeIdBytesMax = 128;
/** Longest ReadIndex context string, in UTF-8 bytes. */
export const readContextBytesMax = 4_096;
/** Longest context (the member's URL) of a forwarded membership change, in bytes. */
export const forwardedConfContextBytesMax = 4_096;

// --- Peer transport (transport/) ---

/** Messages kept for a peer while its connection is being established; older ones are dropped. */
export const peerConnectQueueMessagesMax = 1_024;
/** Above this many bytes buffered on a peer socket, new frames to it are dropped. */
export const peerBufferedBytesMax = 64 * 1024 * 1024;
/** Time a peer connection may take to complete the authentication handshake. */
export const peerHandshakeTimeoutMs = 5_000;
/** First reconnect delay to a down peer; doubles per failed attempt up to the maximum. */
export const peerReconnectDelayMinMs = 50;
/** Longest reconnect delay to a down peer (before jitter). */
export const peerReconnectDelayMaxMs = 2_000;
/** Grace period for a peer socket to finish its close handshake before it is terminated. */
export const peerCloseGraceMs = 1_000;
/** Inbound peer connections still in the authentication handshake; more are refused at once. */
export const peerPendingHandshakesMax = 64;
/** Authenticated inbound peer connections kept at once (several per peer across restarts). */
export const peerInboundConnectionsMax = 256;
