/**
 * Member frames: `version | tag (index in serverMessageTypes) | header | body`. Answers (the
 * responses and `error`) have the header `uint xid | uint revision`; events have `uint revision`.
 */
import { defaultLimits, identifierBytesMax, membersMax, type ProtocolLimits, textBytesMax } from '../constants';
import { BadArgumentsError, TooLargeError } from '../errors';
import type { MemberInfo, ServerMessage, ServerMessageType, WatchEventType } from '../messages';
import { watchKinds } from '../messages';
import { readChildren, writeChildren } from './children-block';
import { readErrorBody, readMultiResults, readStat, writeErrorBody, writeMultiResults, writeStat } from './fields';
import { beginFrame, type DecodeResult, decodeFrame } from './frame';
import type { FrameReader } from './reader';
import type { FrameWriter } from './writer';

/** Every member frame type, in wire-tag order. */
export const serverMessageTypes = Object.freeze([
  'connected',
  'closeSession',
  'pong',
  'create',
  'delete',
  'set',
  'get',
  'exists',
  'children',
  'multi',
  'sync',
  'addWatch',
  'removeWatch',
  'listMembers',
  'addLearner',
  'promote',
  'removeMember',
  'transferLeadership',
  'error',
  'watch',
  'session',
] as const) satisfies readonly ServerMessageType[];

/** Every watch event type, in wire-tag order. */
const watchEventTypes = ['created', 'deleted', 'dataChanged', 'childrenChanged', 'resyncNeeded', 'turn'] as const;
const sessionEventTypes = ['expired', 'moved', 'serverClosing'] as const;
const memberRoles = ['voter', 'learner'] as const;

/**
 * Encodes a member frame. Throws `BadArgumentsError` or `TooLargeError` when the message breaks
 * a rule or a limit; a member answers an oversized response with a `TooLarge` error instead.
 */
export function encodeResponse(message: ServerMessage, limits: ProtocolLimits = defaultLimits): Uint8Array {
  const tag = serverMessageTypes.indexOf(message.type);
  if (tag < 0) throw new BadArgumentsError(`unknown member frame type ${String(message.type)}`);
  const writer = beginFrame(tag, limits);
  if (message.type !== 'watch' && message.type !== 'session') writer.uint(message.xid, 'xid');
  writer.uint(message.revision, 'revision');
  writeBody(writer, message);
  return writer.finish();
}

function writeBody(writer: FrameWriter, message: ServerMessage): void {
  switch (message.type) {
    case 'connected':
      writer.identifier(message.sessionId, identifierBytesMax, 'sessionId');
      writer.identifier(message.secret, identifierBytesMax, 'secret');
      writer.uint(message.sessionTimeoutMs, 'sessionTimeoutMs');
      writer.identifier(message.memberId, identifierBytesMax, 'memberId');
      writer.bool(message.resumed, 'resumed');
      writer.bool(message.readOnly, 'readOnly');
      return;
    case 'closeSession':
    case 'pong':
    case 'delete':
    case 'addWatch':
    case 'removeWatch':
    case 'addLearner':
    case 'promote':
    case 'removeMember':
      return;
    case 'create':
      writer.path(message.path);
      writeStat(writer, message.stat);
      return;
    case 'set':
      writeStat(writer, message.stat);
      return;
    case 'get':
      writer.bytes(message.data, writer.limits.dataBytesMax, 'data');
      writeStat(writer, message.stat);
      return;
    case 'exists':
      writer.bool(message.stat !== null, 'stat');
      if (message.stat !== null) writeStat(writer, message.stat);
      return;
    case 'children':
      writeChildren(writer, message.children);
      writeStat(writer, message.stat);
      return;
    case 'multi':
      writeMultiResults(writer, message.results);
      return;
    case 'sync':
      writer.path(message.path);
      return;
    case 'listMembers':
      writer.optionalString(message.leaderId, identifierBytesMax, 'leaderId');
      writeMembers(writer, message.members);
      return;
    case 'transferLeadership':
      writer.identifier(message.leaderId, identifierBytesMax, 'leaderId');
      return;
    case 'error':
      writeErrorBody(writer, message);
      return;
    case 'watch':
      writer.tag(message.event, watchEventTypes, 'event');
      writer.path(message.path);
      if (message.event === 'resyncNeeded') writer.tag(message.kind, watchKinds, 'kind');
      return;
    case 'session':
      writer.tag(message.event, sessionEventTypes, 'event');
      writer.string(message.reason, textBytesMax, 'reason');
      return;
  }
}

function writeMembers(writer: FrameWriter, members: readonly MemberInfo[]): void {
  if (!Array.isArray(members)) throw new BadArgumentsError('members must be an array');
  if (members.length > membersMax) throw new TooLargeError(`over ${membersMax} members`);
  writer.uint(members.length, 'members');
  for (const member of members) {
    writer.identifier(member.id, identifierBytesMax, 'member id');
    writer.identifier(member.address, textBytesMax, 'member address');
    writer.tag(member.role, memberRoles, 'member role');
    writer.optionalUint(member.matchIndex, 'member matchIndex');
    writer.optionalUint(member.lag, 'member lag');
  }
}

/**
 * Decodes and fully validates a member frame. Never throws: garbage, truncated, oversized,
 * wrong-typed or unknown-type input gives `{ ok: false, error }`.
 */
export function decodeResponse(frame: unknown, limits: ProtocolLimits = defaultLimits): DecodeResult<ServerMessage> {
  return decodeFrame(frame, limits, (reader, tag, progress) => {
    const type = serverMessageTypes[tag];
    if (type === undefined) throw new BadArgumentsError(`unknown member frame tag ${tag}`);
    if (type === 'watch') return readWatchEvent(reader);
    if (type === 'session') {
      const revision = reader.uint('revision');
      const event = reader.tag(sessionEventTypes, 'event');
      return { type, revision, event, reason: reader.string(textBytesMax, 'reason') };
    }
    const xid = reader.uint('xid');
    progress.xid = xid;
    const revision = reader.uint('revision');
    return readAnswer(reader, type, xid, revision);
  });
}

function readWatchEvent(reader: FrameReader): ServerMessage {
  const revision = reader.uint('revision');
  const event = reader.tag(watchEventTypes, 'event');
  const path = reader.path();
  if (event === 'resyncNeeded') return { type: 'watch', revision, event, path, kind: reader.tag(watchKinds, 'kind') };
  const nodeEvent: WatchEventType = event;
  return { type: 'watch', revision, event: nodeEvent, path };
}

function readAnswer(
  reader: FrameReader,
  type: Exclude<ServerMessageType, 'watch' | 'session'>,
  xid: number,
  revision: number,
): ServerMessage {
  switch (type) {
    case 'connected':
      return {
        type,
        xid,
        revision,
        sessionId: reader.identifier(identifierBytesMax, 'sessionId'),
        secret: reader.identifier(identifierBytesMax, 'secret'),
        sessionTimeoutMs: reader.uint('sessionTimeoutMs'),
        memberId: reader.identifier(identifierBytesMax, 'memberId'),
        resumed: reader.bool('resumed'),
        readOnly: reader.bool('readOnly'),
      };
    case 'closeSession':
    case 'pong':
    case 'delete':
    case 'addWatch':
    case 'removeWatch':
    case 'addLearner':
    case 'promote':
    case 'removeMember':
      return { type, xid, revision };
    case 'create':
      return { type, xid, revision, path: reader.path(), stat: readStat(reader) };
    case 'set':
      return { type, xid, revision, stat: readStat(reader) };
    case 'get':
      return { type, xid, revision, data: reader.bytes(reader.limits.dataBytesMax, 'data'), stat: readStat(reader) };
    case 'exists':
      return { type, xid, revision, stat: reader.bool('stat') ? readStat(reader) : null };
    case 'children':
      return { type, xid, revision, children: readChildren(reader), stat: readStat(reader) };
    case 'multi':
      return { type, xid, revision, results: readMultiResults(reader) };
    case 'sync':
      return { type, xid, revision, path: reader.path() };
    case 'listMembers':
      return {
        type,
        xid,
        revision,
        leaderId: reader.optionalString(identifierBytesMax, 'leaderId'),
        members: readMembers(reader),
      };
    case 'transferLeadership':
      return { type, xid, revision, leaderId: reader.identifier(identifierBytesMax, 'leaderId') };
    case 'error':
      return { type, xid, revision, ...readErrorBody(reader) };
  }
}

function readMembers(reader: FrameReader): MemberInfo[] {
  const count = reader.count(membersMax, 'members');
  const members: MemberInfo[] = [];
  for (let i = 0; i < count; i++) {
    const id = reader.identifier(identifierBytesMax, 'member id');
    const address = reader.identifier(textBytesMax, 'member address');
    const role = reader.tag(memberRoles, 'member role');
    const matchIndex = reader.optionalUint('member matchIndex');
    const lag = reader.optionalUint('member lag');
    members.push({
      id,
      address,
      role,
      ...(matchIndex === undefined ? {} : { matchIndex }),
      ...(lag === undefined ? {} : { lag }),
    });
  }
  return members;
}
