/**
 * Validating decoder of peer frames. Every field is checked as it is read; any problem
 * (truncation, unknown tag or flag, integer out of range, length over a limit, invalid UTF-8
 * or node id, inconsistent fields, trailing bytes) throws `CodecError` (`BAD_FRAME`) and no
 * message of the frame is returned.
 *
 * Entry payloads and snapshot chunks are VIEWS into the frame, not copies: they stay valid as
 * long as the frame's memory is not reused. Copy the frame first if its buffer will be
 * recycled (the `ws` library hands out a fresh buffer per message, so the transport need not).
 */
import {
  forwardedConfContextBytesMax,
  nodeIdBytesMax,
  peerConfMembersMax,
  peerMessageEntriesMax,
  readContextBytesMax,
} from '../constants';
import type { ConfState, Entry, EntryType, ForwardRequest, MemberChange, Message, NodeId } from '../core/types';
import { ByteReader } from './bytes';
import { appendEntriesProblem, confProblem } from './consistency';
import { badFrame, CodecError } from './errors';
import {
  entryBytesMin,
  flagBit0,
  flagBit1,
  forwardKindCodes,
  memberChangeKindsByCode,
  messageBytesMin,
  messageTypesByTag,
  nodeIdEncodedBytesMin,
  peerCodecVersion,
} from './format';
import { type CodecLimits, resolveCodecLimits } from './limits';
import { hasNoControlCharacters } from './node-id';

function readId(reader: ByteReader, what: string): NodeId {
  const id = reader.string(nodeIdBytesMax, what);
  if (id.length === 0 || !hasNoControlCharacters(id)) throw badFrame(`${what} is not a valid node id`);
  return id;
}

function readFlags(reader: ByteReader, allowed: number): number {
  const flags = reader.u8();
  if ((flags & ~allowed) !== 0) throw badFrame('unknown flag bits');
  return flags;
}

function readConf(reader: ByteReader): ConfState {
  const voterCount = reader.count(peerConfMembersMax, 'voter count');
  if (voterCount * nodeIdEncodedBytesMin > reader.remaining) throw badFrame('truncated');
  const voters: NodeId[] = [];
  for (let i = 0; i < voterCount; i++) voters.push(readId(reader, 'voter'));
  const learnerCount = reader.count(peerConfMembersMax - voterCount, 'member count');
  if (learnerCount * nodeIdEncodedBytesMin > reader.remaining) throw badFrame('truncated');
  const learners: NodeId[] = [];
  for (let i = 0; i < learnerCount; i++) learners.push(readId(reader, 'learner'));
  const conf: ConfState = { voters, learners };
  const problem = confProblem(conf);
  if (problem !== null) throw badFrame(problem);
  return conf;
}

function readEntries(reader: ByteReader): Entry[] {
  const entryCount = reader.count(peerMessageEntriesMax, 'entry count');
  // Checked before allocating: a huge count in a small frame must not size an array.
  if (entryCount * entryBytesMin > reader.remaining) throw badFrame('truncated');
  const entries: Entry[] = new Array(entryCount);
  for (let i = 0; i < entryCount; i++) {
    const term = reader.varint();
    const index = reader.varint();
    const type = reader.u8();
    if (type > 1) throw badFrame('unknown entry type');
    const data = reader.view(reader.varint());
    entries[i] = { term, index, type: type as EntryType, data };
  }
  return entries;
}

/** Smallest encoded forwarded payload: a length byte and one byte. */
const forwardedPayloadBytesMin = 2;

function readForward(reader: ByteReader): ForwardRequest {
  const kind = reader.u8();
  switch (kind) {
    case forwardKindCodes.entries: {
      const count = reader.count(peerMessageEntriesMax, 'payload count');
      if (count === 0) throw badFrame('forward without payloads');
      if (count * forwardedPayloadBytesMin > reader.remaining) throw badFrame('truncated');
      const entries: Uint8Array[] = new Array(count);
      for (let i = 0; i < count; i++) {
        const length = reader.varint();
        if (length === 0) throw badFrame('empty forwarded payload');
        entries[i] = reader.view(length);
      }
      return { kind: 'entries', entries };
    }
    case forwardKindCodes.confChange: {
      const changeKind = memberChangeKindsByCode[reader.u8()];
      if (changeKind === undefined) throw badFrame('unknown membership change');
      const node = readId(reader, 'change node');
      const change: MemberChange =
        readFlags(reader, flagBit0) === 0
          ? { kind: changeKind, node }
          : {
              kind: changeKind,
              node,
              context: reader.view(reader.count(forwardedConfContextBytesMax, 'context length')),
            };
      return { kind: 'confChange', change };
    }
    case forwardKindCodes.transfer:
      return { kind: 'transfer', target: readId(reader, 'transfer target') };
    default:
      throw badFrame(`unknown forward kind ${kind}`);
  }
}

function readMessage(reader: ByteReader): Message {
  const tag = reader.u8();
  const type = messageTypesByTag[tag];
  if (type === undefined) throw badFrame(`unknown message tag ${tag}`);
  const from = readId(reader, 'from');
  const to = readId(reader, 'to');
  if (from === to) throw badFrame('message addressed to its sender');
  const term = reader.varint();
  switch (type) {
    case 'preVote':
    case 'vote': {
      const lastLogIndex = reader.varint();
      const lastLogTerm = reader.varint();
      const force = readFlags(reader, flagBit0) !== 0;
      return { type, from, to, term, lastLogIndex, lastLogTerm, force };
    }
    case 'preVoteResp':
    case 'voteResp':
      return { type, from, to, term, granted: readFlags(reader, flagBit0) !== 0 };
    case 'append': {
      const prevIndex = reader.varint();
      const prevTerm = reader.varint();
      const commit = reader.varint();
      const entries = readEntries(reader);
      const problem = appendEntriesProblem(prevIndex, prevTerm, term, entries);
      if (problem !== null) throw badFrame(problem);
      return { type, from, to, term, prevIndex, prevTerm, entries, commit };
    }
    case 'appendResp': {
      const success = readFlags(reader, flagBit0) !== 0;
      const index = reader.varint();
      const hintIndex = reader.varint();
      const hintTerm = reader.varint();
      return { type, from, to, term, success, index, hintIndex, hintTerm };
    }
    case 'heartbeat': {
      const commit = reader.varint();
      const readRound = reader.varint();
      return { type, from, to, term, commit, readRound };
    }
    case 'heartbeatResp':
      return { type, from, to, term, readRound: reader.varint() };
    case 'commit': {
      const index = reader.varint();
      const logTerm = reader.varint();
      return { type, from, to, term, index, logTerm, commit: reader.varint() };
    }
    case 'snapshot': {
      const index = reader.varint();
      if (index === 0) throw badFrame('snapshot index must be above 0');
      const snapshotTerm = reader.varint();
      const conf = readConf(reader);
      const offset = reader.varint();
      const totalBytes = reader.varint();
      const done = readFlags(reader, flagBit0) !== 0;
      const chunk = reader.view(reader.varint());
      if (offset + chunk.length > totalBytes) throw badFrame('chunk ends past totalBytes');
      return { type, from, to, term, meta: { index, term: snapshotTerm, conf }, offset, totalBytes, chunk, done };
    }
    case 'snapshotResp': {
      const snapshotIndex = reader.varint();
      const offset = reader.varint();
      const flags = readFlags(reader, flagBit0 | flagBit1);
      return {
        type,
        from,
        to,
        term,
        snapshotIndex,
        offset,
        success: (flags & flagBit0) !== 0,
        done: (flags & flagBit1) !== 0,
      };
    }
    case 'timeoutNow':
      return { type, from, to, term };
    case 'readIndex':
      return { type, from, to, term, context: reader.string(readContextBytesMax, 'context') };
    case 'readIndexResp': {
      const context = reader.string(readContextBytesMax, 'context');
      const index = reader.varint() - 1;
      return { type, from, to, term, context, index };
    }
    case 'forward':
      return { type, from, to, term, request: readForward(reader) };
  }
}

/**
 * Decodes a frame into its messages, validating everything. Throws `CodecError`
 * (`BAD_FRAME`, with a `reason`) on any invalid input; never returns a partial batch.
 */
export function decodeBatch(frame: Uint8Array, limits?: Partial<CodecLimits>): Message[] {
  const { frameBytesMax, frameMessagesMax } = resolveCodecLimits(limits);
  if (!(frame instanceof Uint8Array)) throw badFrame('frame is not bytes');
  if (frame.length > frameBytesMax) throw badFrame(`frame of ${frame.length} bytes exceeds ${frameBytesMax}`);
  const reader = new ByteReader(frame);
  try {
    const version = reader.u8();
    if (version !== peerCodecVersion) throw badFrame(`unknown version ${version}`);
    const messageCount = reader.count(frameMessagesMax, 'message count');
    if (messageCount === 0) throw badFrame('empty batch');
    if (messageCount * messageBytesMin > reader.remaining) throw badFrame('truncated');
    const messages: Message[] = new Array(messageCount);
    for (let i = 0; i < messageCount; i++) messages[i] = readMessage(reader);
    if (reader.remaining !== 0) throw badFrame(`${reader.remaining} trailing bytes`);
    return messages;
  } catch (error) {
    if (error instanceof CodecError) throw error;
    // Anything else escaping the reader is a decoder bug, but the caller's contract is one
    // error type for bad input, so it is wrapped rather than let through.
    throw badFrame('undecodable', error);
  }
}

/** Decodes a frame that must hold exactly one message. */
export function decodeMessage(frame: Uint8Array, limits?: Partial<CodecLimits>): Message {
  const messages = decodeBatch(frame, limits);
  if (messages.length !== 1) throw badFrame(`expected one message, found ${messages.length}`);
  return messages[0]!;
}
