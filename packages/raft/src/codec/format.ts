/**
 * The peer frame layout (version 1). All integers are unsigned LEB128 varints unless noted;
 * strings are a varint byte length followed by UTF-8; `u8` is one byte.
 *
 * ```
 * frame    = u8 version, count, message{count}            (no trailing bytes)
 * message  = u8 tag, from, to, term, body
 * preVote / vote        = lastLogIndex, lastLogTerm, u8 flags(force)
 * preVoteResp / voteResp = u8 flags(granted)
 * append        = prevIndex, prevTerm, commit, count, entry{count}
 * entry         = term, index, u8 type, length, bytes{length}
 * appendResp    = u8 flags(success), index, hintIndex, hintTerm
 * heartbeat     = commit, readRound
 * heartbeatResp = readRound
 * snapshot      = meta.index, meta.term, conf, offset, totalBytes, u8 flags(done), length, bytes
 * conf          = count, id{count} (voters), count, id{count} (learners)
 * snapshotResp  = snapshotIndex, offset, u8 flags(success, done)
 * timeoutNow    = (nothing)
 * readIndex     = context
 * readIndexResp = context, index + 1          (so that -1 fits an unsigned varint)
 * commit        = index, logTerm, commit
 * forward       = u8 kind, request
 *   kind 1 entries    = count (>= 1), (length (>= 1), bytes){count}
 *   kind 2 confChange = u8 change (1 addVoter, 2 addLearner, 3 promoteLearner, 4 removeNode),
 *                       id, u8 flags(hasContext), [length, bytes]
 *   kind 3 transfer   = id (target)
 * ```
 * Unused flag bits must be zero.
 */
import type { MemberChange, MessageType } from '../core/types';

/** First byte of every peer frame; a frame of another version is refused. */
export const peerCodecVersion = 1;

/** Wire tag of each message type. Values are part of the format: never renumber. */
export const messageTags: Readonly<Record<MessageType, number>> = {
  preVote: 1,
  vote: 2,
  preVoteResp: 3,
  voteResp: 4,
  append: 5,
  appendResp: 6,
  heartbeat: 7,
  heartbeatResp: 8,
  snapshot: 9,
  snapshotResp: 10,
  timeoutNow: 11,
  readIndex: 12,
  readIndexResp: 13,
  forward: 14,
  commit: 15,
};

/** Wire codes of a forwarded request's kind. Part of the format: never renumber. */
export const forwardKindCodes = { entries: 1, confChange: 2, transfer: 3 } as const;
/** Wire codes of a forwarded membership change. Part of the format: never renumber. */
export const memberChangeCodes = { addVoter: 1, addLearner: 2, promoteLearner: 3, removeNode: 4 } as const;
/** Membership change kind of each wire code (index = code); holes are unknown codes. */
export const memberChangeKindsByCode: readonly (MemberChange['kind'] | undefined)[] = [
  undefined,
  'addVoter',
  'addLearner',
  'promoteLearner',
  'removeNode',
];

/** Wire code of a forwardable membership change kind, or undefined (bootstrap, garbage). */
export function memberChangeCode(kind: unknown): number | undefined {
  switch (kind) {
    case 'addVoter':
    case 'addLearner':
    case 'promoteLearner':
    case 'removeNode':
      return memberChangeCodes[kind];
    default:
      return undefined;
  }
}

/** Message type of each wire tag (index = tag); holes are unknown tags. */
export const messageTypesByTag: readonly (MessageType | undefined)[] = (() => {
  const types: (MessageType | undefined)[] = [];
  for (const [type, tag] of Object.entries(messageTags)) types[tag] = type as MessageType;
  return types;
})();

/** Flag bits. */
export const flagBit0 = 1;
export const flagBit1 = 2;

/** Smallest possible encoded entry (term, index, type, length: one byte each). */
export const entryBytesMin = 4;
/** Smallest possible encoded node id (length byte plus one byte). */
export const nodeIdEncodedBytesMin = 2;
/** Smallest possible encoded message (tag, from, to, term). */
export const messageBytesMin = 1 + 2 * nodeIdEncodedBytesMin + 1;
