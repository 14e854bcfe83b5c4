/**
 * Encoding of peer messages into frames. Each frame is sized exactly in a first pass (which
 * also validates every field), then written into one pre-allocated buffer: no intermediate
 * buffers, no per-entry allocation. Entry payloads and snapshot chunks are copied once, into
 * the frame.
 */
import {
  forwardedConfContextBytesMax,
  nodeIdBytesMax,
  peerConfMembersMax,
  peerMessageEntriesMax,
  readContextBytesMax,
} from '../constants';
import type { ConfState, ForwardRequest, Message } from '../core/types';
import { ByteWriter, utf8Size, varintSize } from './bytes';
import { appendEntriesProblem, confProblem } from './consistency';
import { CodecError, unencodable } from './errors';
import { flagBit0, flagBit1, forwardKindCodes, memberChangeCode, messageTags, peerCodecVersion } from './format';
import { type CodecLimits, resolveCodecLimits } from './limits';
import { hasNoControlCharacters } from './node-id';

/** UTF-8 sizes of node ids already validated; ids are few, so this stays tiny. */
const idSizes = new Map<string, number>();
const idSizesMax = 4_096;

/** UTF-8 size of a node id, validated on first sight and cached. */
function idSize(id: unknown, what: string): number {
  if (typeof id !== 'string') throw unencodable(`${what} is not a string`);
  const known = idSizes.get(id);
  if (known !== undefined) return known;
  const size = utf8Size(id);
  if (size <= 0 || size > nodeIdBytesMax || !hasNoControlCharacters(id)) {
    throw unencodable(`${what} is not a valid node id`);
  }
  // A cache, not a registry: dropping it all when full only costs recomputation.
  if (idSizes.size >= idSizesMax) idSizes.clear();
  idSizes.set(id, size);
  return size;
}

function encodedIdSize(id: unknown, what: string): number {
  const size = idSize(id, what);
  return varintSize(size) + size;
}

function count(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw unencodable(`${what} must be a non-negative safe integer`);
  }
  return varintSize(value);
}

function flag(value: unknown, what: string): void {
  if (typeof value !== 'boolean') throw unencodable(`${what} must be a boolean`);
}

function bytesSize(value: unknown, what: string): number {
  if (!(value instanceof Uint8Array)) throw unencodable(`${what} must be a Uint8Array`);
  return varintSize(value.length) + value.length;
}

function contextSize(value: unknown): number {
  if (typeof value !== 'string') throw unencodable('context must be a string');
  const size = utf8Size(value);
  if (size < 0) throw unencodable('context is not well-formed Unicode');
  if (size > readContextBytesMax) throw unencodable(`context longer than ${readContextBytesMax} bytes`);
  return varintSize(size) + size;
}

function confSize(conf: ConfState | undefined): number {
  if (typeof conf !== 'object' || conf === null || !Array.isArray(conf.voters) || !Array.isArray(conf.learners)) {
    throw unencodable('meta.conf must have voters and learners arrays');
  }
  if (conf.voters.length + conf.learners.length > peerConfMembersMax) {
    throw unencodable(`configuration has more than ${peerConfMembersMax} members`);
  }
  const problem = confProblem(conf);
  if (problem !== null) throw unencodable(problem);
  let size = varintSize(conf.voters.length) + varintSize(conf.learners.length);
  for (const id of conf.voters) size += encodedIdSize(id, 'voter');
  for (const id of conf.learners) size += encodedIdSize(id, 'learner');
  return size;
}

/** Encoded size of a forwarded request (kind byte included); validates it on the way. */
function forwardSize(request: ForwardRequest | undefined): number {
  if (typeof request !== 'object' || request === null) throw unencodable('request must be an object');
  switch (request.kind) {
    case 'entries': {
      const entries = request.entries;
      if (!Array.isArray(entries) || entries.length === 0) throw unencodable('entries must be a non-empty array');
      if (entries.length > peerMessageEntriesMax) throw unencodable(`more than ${peerMessageEntriesMax} entries`);
      let size = 1 + varintSize(entries.length);
      for (const data of entries) {
        size += bytesSize(data, 'forwarded payload');
        if (data.length === 0) throw unencodable('forwarded payload is empty');
      }
      return size;
    }
    case 'confChange': {
      const change = request.change;
      if (typeof change !== 'object' || change === null) throw unencodable('change must be an object');
      if (memberChangeCode(change.kind) === undefined) throw unencodable('change kind cannot be forwarded');
      let size = 3 + encodedIdSize(change.node, 'change node');
      if (change.context !== undefined) {
        size += bytesSize(change.context, 'change context');
        if (change.context.length > forwardedConfContextBytesMax) {
          throw unencodable(`change context longer than ${forwardedConfContextBytesMax} bytes`);
        }
      }
      return size;
    }
    case 'transfer':
      return 1 + encodedIdSize(request.target, 'transfer target');
    default:
      throw unencodable('unknown forward kind');
  }
}

/**
 * Encoded size of one message in bytes (without the frame header). Validates every field and
 * throws `CodecError` (`UNENCODABLE`) on anything the decoder would refuse.
 */
export function encodedMessageSize(message: Message): number {
  if (typeof message !== 'object' || message === null) throw unencodable('message is not an object');
  const tag = messageTags[message.type];
  if (tag === undefined) throw unencodable('unknown message type');
  if (message.from === message.to) throw unencodable('message addressed to its sender');
  let size = 1 + encodedIdSize(message.from, 'from') + encodedIdSize(message.to, 'to') + count(message.term, 'term');
  switch (message.type) {
    case 'preVote':
    case 'vote':
      flag(message.force, 'force');
      return size + count(message.lastLogIndex, 'lastLogIndex') + count(message.lastLogTerm, 'lastLogTerm') + 1;
    case 'preVoteResp':
    case 'voteResp':
      flag(message.granted, 'granted');
      return size + 1;
    case 'append': {
      const entries = message.entries;
      if (!Array.isArray(entries)) throw unencodable('entries must be an array');
      if (entries.length > peerMessageEntriesMax) throw unencodable(`more than ${peerMessageEntriesMax} entries`);
      size += count(message.prevIndex, 'prevIndex') + count(message.prevTerm, 'prevTerm');
      size += count(message.commit, 'commit') + varintSize(entries.length);
      for (const entry of entries) {
        if (typeof entry !== 'object' || entry === null) throw unencodable('entry is not an object');
        size += count(entry.term, 'entry term') + count(entry.index, 'entry index') + 1;
        size += bytesSize(entry.data, 'entry data');
      }
      const problem = appendEntriesProblem(message.prevIndex, message.prevTerm, message.term, entries);
      if (problem !== null) throw unencodable(problem);
      return size;
    }
    case 'appendResp':
      flag(message.success, 'success');
      return (
        size +
        1 +
        count(message.index, 'index') +
        count(message.hintIndex, 'hintIndex') +
        count(message.hintTerm, 'hintTerm')
      );
    case 'heartbeat':
      return size + count(message.commit, 'commit') + count(message.readRound, 'readRound');
    case 'heartbeatResp':
      return size + count(message.readRound, 'readRound');
    case 'commit':
      return size + count(message.index, 'index') + count(message.logTerm, 'logTerm') + count(message.commit, 'commit');
    case 'snapshot': {
      const meta = message.meta;
      if (typeof meta !== 'object' || meta === null) throw unencodable('meta must be an object');
      size += count(meta.index, 'meta.index') + count(meta.term, 'meta.term') + confSize(meta.conf);
      if (meta.index === 0) throw unencodable('snapshot index must be above 0');
      size += count(message.offset, 'offset') + count(message.totalBytes, 'totalBytes') + 1;
      size += bytesSize(message.chunk, 'chunk');
      flag(message.done, 'done');
      if (message.offset + message.chunk.length > message.totalBytes) throw unencodable('chunk ends past totalBytes');
      return size;
    }
    case 'snapshotResp':
      flag(message.success, 'success');
      flag(message.done, 'done');
      return size + count(message.snapshotIndex, 'snapshotIndex') + count(message.offset, 'offset') + 1;
    case 'timeoutNow':
      return size;
    case 'readIndex':
      return size + contextSize(message.context);
    case 'readIndexResp':
      // Sent as index + 1, so the largest index is one below the largest safe integer.
      if (typeof message.index !== 'number' || !Number.isSafeInteger(message.index + 1) || message.index < -1) {
        throw unencodable('index must be an integer in [-1, 2^53 - 2]');
      }
      return size + contextSize(message.context) + count(message.index + 1, 'index');
    case 'forward':
      return size + forwardSize(message.request);
    default:
      throw unencodable('unknown message type');
  }
}

function writeId(writer: ByteWriter, id: string): void {
  // Every id was validated (and cached) by the sizing pass, unless the cache was just cleared.
  const size = idSizes.get(id) ?? utf8Size(id);
  writer.varint(size);
  writer.utf8(id, size);
}

function writeContext(writer: ByteWriter, context: string): void {
  const size = utf8Size(context);
  writer.varint(size);
  writer.utf8(context, size);
}

function writeMessage(writer: ByteWriter, message: Message): void {
  writer.u8(messageTags[message.type]);
  writeId(writer, message.from);
  writeId(writer, message.to);
  writer.varint(message.term);
  switch (message.type) {
    case 'preVote':
    case 'vote':
      writer.varint(message.lastLogIndex);
      writer.varint(message.lastLogTerm);
      writer.u8(message.force ? flagBit0 : 0);
      return;
    case 'preVoteResp':
    case 'voteResp':
      writer.u8(message.granted ? flagBit0 : 0);
      return;
    case 'append':
      writer.varint(message.prevIndex);
      writer.varint(message.prevTerm);
      writer.varint(message.commit);
      writer.varint(message.entries.length);
      for (const entry of message.entries) {
        writer.varint(entry.term);
        writer.varint(entry.index);
        writer.u8(entry.type);
        writer.varint(entry.data.length);
        writer.raw(entry.data);
      }
      return;
    case 'appendResp':
      writer.u8(message.success ? flagBit0 : 0);
      writer.varint(message.index);
      writer.varint(message.hintIndex);
      writer.varint(message.hintTerm);
      return;
    case 'heartbeat':
      writer.varint(message.commit);
      writer.varint(message.readRound);
      return;
    case 'heartbeatResp':
      writer.varint(message.readRound);
      return;
    case 'commit':
      writer.varint(message.index);
      writer.varint(message.logTerm);
      writer.varint(message.commit);
      return;
    case 'snapshot': {
      const { meta } = message;
      writer.varint(meta.index);
      writer.varint(meta.term);
      writer.varint(meta.conf.voters.length);
      for (const id of meta.conf.voters) writeId(writer, id);
      writer.varint(meta.conf.learners.length);
      for (const id of meta.conf.learners) writeId(writer, id);
      writer.varint(message.offset);
      writer.varint(message.totalBytes);
      writer.u8(message.done ? flagBit0 : 0);
      writer.varint(message.chunk.length);
      writer.raw(message.chunk);
      return;
    }
    case 'snapshotResp':
      writer.varint(message.snapshotIndex);
      writer.varint(message.offset);
      writer.u8((message.success ? flagBit0 : 0) | (message.done ? flagBit1 : 0));
      return;
    case 'timeoutNow':
      return;
    case 'readIndex':
      writeContext(writer, message.context);
      return;
    case 'readIndexResp':
      writeContext(writer, message.context);
      writer.varint(message.index + 1);
      return;
    case 'forward':
      writeForward(writer, message.request);
      return;
  }
}

function writeForward(writer: ByteWriter, request: ForwardRequest): void {
  writer.u8(forwardKindCodes[request.kind]);
  switch (request.kind) {
    case 'entries':
      writer.varint(request.entries.length);
      for (const data of request.entries) {
        writer.varint(data.length);
        writer.raw(data);
      }
      return;
    case 'confChange': {
      const { change } = request;
      writer.u8(memberChangeCode(change.kind) ?? 0);
      writeId(writer, change.node);
      if (change.context === undefined) {
        writer.u8(0);
      } else {
        writer.u8(flagBit0);
        writer.varint(change.context.length);
        writer.raw(change.context);
      }
      return;
    }
    case 'transfer':
      writeId(writer, request.target);
      return;
  }
}

function writeFrame(messages: readonly Message[], sizes: readonly number[], from: number, to: number): Uint8Array {
  let total = 1 + varintSize(to - from);
  for (let i = from; i < to; i++) total += sizes[i]!;
  const writer = new ByteWriter(total);
  writer.u8(peerCodecVersion);
  writer.varint(to - from);
  for (let i = from; i < to; i++) writeMessage(writer, messages[i]!);
  // A mismatch means the sizing and writing passes disagree: a codec bug, not bad input.
  if (writer.pos !== total) throw new Error(`peer codec wrote ${writer.pos} bytes, sized ${total}`);
  return writer.bytes;
}

/** Bytes of the frame header for `messageCount` messages. */
function headerSize(messageCount: number): number {
  return 1 + varintSize(messageCount);
}

/**
 * Encodes `messages` as one frame. Throws `CodecError` (`UNENCODABLE`) if a message is
 * invalid, the batch is empty, or the frame would exceed `limits`.
 */
export function encodeBatch(messages: readonly Message[], limits?: Partial<CodecLimits>): Uint8Array {
  const { frameBytesMax, frameMessagesMax } = resolveCodecLimits(limits);
  if (messages.length === 0) throw unencodable('empty batch');
  if (messages.length > frameMessagesMax) throw unencodable(`more than ${frameMessagesMax} messages in one frame`);
  const sizes = messages.map((message) => encodedMessageSize(message));
  let total = headerSize(messages.length);
  for (const size of sizes) total += size;
  if (total > frameBytesMax) throw unencodable(`frame of ${total} bytes exceeds ${frameBytesMax}`);
  return writeFrame(messages, sizes, 0, messages.length);
}

/** Encodes one message as a frame of its own. */
export function encodeMessage(message: Message, limits?: Partial<CodecLimits>): Uint8Array {
  return encodeBatch([message], limits);
}

/** A message `encodeFrames` could not send, and why. */
export interface RejectedMessage {
  readonly message: Message;
  readonly error: CodecError;
}

/** Result of {@link encodeFrames}. */
export interface EncodedFrames {
  /** Frames in order; together they carry every message that was not rejected, in order. */
  readonly frames: Uint8Array[];
  /** Messages in each frame (same order as `frames`). */
  readonly messageCounts: number[];
  readonly rejected: RejectedMessage[];
}

/**
 * Encodes any number of messages into as few frames as the limits allow, keeping their order.
 * Never throws for bad messages: a message that is invalid or too big for any frame is
 * reported in `rejected` and the rest still go out.
 */
export function encodeFrames(messages: readonly Message[], limits?: Partial<CodecLimits>): EncodedFrames {
  const { frameBytesMax, frameMessagesMax } = resolveCodecLimits(limits);
  const frames: Uint8Array[] = [];
  const messageCounts: number[] = [];
  const rejected: RejectedMessage[] = [];
  const accepted: Message[] = [];
  const sizes: number[] = [];
  for (const message of messages) {
    try {
      const size = encodedMessageSize(message);
      if (headerSize(1) + size > frameBytesMax) {
        throw unencodable(`message of ${size} bytes does not fit in a frame of ${frameBytesMax}`);
      }
      accepted.push(message);
      sizes.push(size);
    } catch (error) {
      if (!(error instanceof CodecError)) throw error;
      rejected.push({ message, error });
    }
  }
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < accepted.length; i++) {
    const size = sizes[i]!;
    const count = i - start;
    // The header is sized for the count after adding this message, which is the worst case.
    if (count > 0 && (count >= frameMessagesMax || headerSize(count + 1) + bytes + size > frameBytesMax)) {
      frames.push(writeFrame(accepted, sizes, start, i));
      messageCounts.push(count);
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (start < accepted.length) {
    frames.push(writeFrame(accepted, sizes, start, accepted.length));
    messageCounts.push(accepted.length - start);
  }
  return { frames, messageCounts, rejected };
}
