/**
 * Request frames: `version | tag (index in requestOps) | uint xid | body`.
 */
import { defaultLimits, identifierBytesMax, type ProtocolLimits, textBytesMax } from '../constants';
import { BadArgumentsError } from '../errors';
import { type Request, type RequestOp, requestOps, watchKinds } from '../messages';
import { type CreateMode, isSequentialMode } from '../modes';
import { readCreate, readMultiOps, writeCreate, writeMultiOps } from './fields';
import { beginFrame, type DecodeResult, decodeFrame } from './frame';
import type { FrameReader } from './reader';
import type { FrameWriter } from './writer';

/**
 * Encodes a request as one binary WebSocket frame. Throws `BadArgumentsError` or `TooLargeError`
 * when the request breaks a rule or a limit (the same checks the decoder makes).
 */
export function encodeRequest(request: Request, limits: ProtocolLimits = defaultLimits): Uint8Array {
  const tag = requestOps.indexOf(request.op);
  if (tag < 0) throw new BadArgumentsError(`unknown request op ${String(request.op)}`);
  const writer = beginFrame(tag, limits);
  writer.uint(request.xid, 'xid');
  writeRequestBody(writer, request);
  return writer.finish();
}

function writeRequestBody(writer: FrameWriter, request: Request): void {
  switch (request.op) {
    case 'connect':
      writer.uint(request.sessionTimeoutMs, 'sessionTimeoutMs');
      writer.uint(request.lastSeenRevision, 'lastSeenRevision');
      writer.bool(request.readOnly, 'readOnly');
      return;
    case 'resume':
      writer.identifier(request.sessionId, identifierBytesMax, 'sessionId');
      writer.identifier(request.secret, identifierBytesMax, 'secret');
      writer.uint(request.sessionTimeoutMs, 'sessionTimeoutMs');
      writer.uint(request.lastSeenRevision, 'lastSeenRevision');
      writer.bool(request.readOnly, 'readOnly');
      return;
    case 'closeSession':
    case 'ping':
    case 'listMembers':
      return;
    case 'create':
      writeCreate(writer, request);
      // Written only when set, so a plain create is the same bytes a member older than the
      // field reads (it refuses the flag as trailing bytes: BadArguments).
      if (request.watchTurn === true) {
        checkWatchTurn(request.mode);
        writer.bool(true, 'watchTurn');
      }
      return;
    case 'delete':
      writer.path(request.path);
      writer.optionalUint(request.expectedVersion, 'expectedVersion');
      return;
    case 'set':
      writer.path(request.path);
      writer.bytes(request.data, writer.limits.dataBytesMax, 'data');
      writer.optionalUint(request.expectedVersion, 'expectedVersion');
      return;
    case 'get':
    case 'exists':
    case 'children':
      writer.path(request.path);
      writer.bool(request.watch, 'watch');
      writer.bool(request.linearizable, 'linearizable');
      return;
    case 'multi':
      writeMultiOps(writer, request.ops);
      return;
    case 'sync':
      writer.path(request.path);
      return;
    case 'addWatch':
      writer.path(request.path);
      writer.tag(request.kind, watchKinds, 'kind');
      writer.optionalUint(request.sinceRevision, 'sinceRevision');
      return;
    case 'removeWatch':
      writer.path(request.path);
      writer.tag(request.kind, watchKinds, 'kind');
      return;
    case 'addLearner':
      writer.identifier(request.memberId, identifierBytesMax, 'memberId');
      writer.identifier(request.address, textBytesMax, 'address');
      return;
    case 'promote':
    case 'removeMember':
      writer.identifier(request.memberId, identifierBytesMax, 'memberId');
      return;
    case 'transferLeadership':
      writer.bool(request.memberId !== undefined, 'memberId');
      if (request.memberId !== undefined) writer.identifier(request.memberId, identifierBytesMax, 'memberId');
      return;
  }
}

/**
 * Decodes and fully validates a request frame. Never throws: garbage, truncated, oversized,
 * wrong-typed or unknown-op input gives `{ ok: false, error }`, with the xid when it was readable.
 */
export function decodeRequest(frame: unknown, limits: ProtocolLimits = defaultLimits): DecodeResult<Request> {
  return decodeFrame(frame, limits, (reader, tag, progress) => {
    const op = requestOps[tag];
    if (op === undefined) throw new BadArgumentsError(`unknown request op tag ${tag}`);
    const xid = reader.uint('xid');
    progress.xid = xid;
    return readRequestBody(reader, op, xid);
  });
}

function readRequestBody(reader: FrameReader, op: RequestOp, xid: number): Request {
  switch (op) {
    case 'connect':
      return {
        op,
        xid,
        sessionTimeoutMs: reader.uint('sessionTimeoutMs'),
        lastSeenRevision: reader.uint('lastSeenRevision'),
        readOnly: reader.bool('readOnly'),
      };
    case 'resume':
      return {
        op,
        xid,
        sessionId: reader.identifier(identifierBytesMax, 'sessionId'),
        secret: reader.identifier(identifierBytesMax, 'secret'),
        sessionTimeoutMs: reader.uint('sessionTimeoutMs'),
        lastSeenRevision: reader.uint('lastSeenRevision'),
        readOnly: reader.bool('readOnly'),
      };
    case 'closeSession':
    case 'ping':
    case 'listMembers':
      return { op, xid };
    case 'create': {
      const create = readCreate(reader);
      if (reader.remaining === 0) return { op, xid, ...create };
      if (!reader.bool('watchTurn'))
        throw new BadArgumentsError('unexpected trailing byte 0 (watchTurn is written only when true)');
      checkWatchTurn(create.mode);
      return { op, xid, ...create, watchTurn: true };
    }
    case 'delete': {
      const path = reader.path();
      const expectedVersion = reader.optionalUint('expectedVersion');
      return expectedVersion === undefined ? { op, xid, path } : { op, xid, path, expectedVersion };
    }
    case 'set': {
      const path = reader.path();
      const data = reader.bytes(reader.limits.dataBytesMax, 'data');
      const expectedVersion = reader.optionalUint('expectedVersion');
      return expectedVersion === undefined ? { op, xid, path, data } : { op, xid, path, data, expectedVersion };
    }
    case 'get':
    case 'exists':
    case 'children':
      return {
        op,
        xid,
        path: reader.path(),
        watch: reader.bool('watch'),
        linearizable: reader.bool('linearizable'),
      };
    case 'multi':
      return { op, xid, ops: readMultiOps(reader) };
    case 'sync':
      return { op, xid, path: reader.path() };
    case 'addWatch': {
      const path = reader.path();
      const kind = reader.tag(watchKinds, 'kind');
      const sinceRevision = reader.optionalUint('sinceRevision');
      return sinceRevision === undefined ? { op, xid, path, kind } : { op, xid, path, kind, sinceRevision };
    }
    case 'removeWatch':
      return { op, xid, path: reader.path(), kind: reader.tag(watchKinds, 'kind') };
    case 'addLearner':
      return {
        op,
        xid,
        memberId: reader.identifier(identifierBytesMax, 'memberId'),
        address: reader.identifier(textBytesMax, 'address'),
      };
    case 'promote':
    case 'removeMember':
      return { op, xid, memberId: reader.identifier(identifierBytesMax, 'memberId') };
    case 'transferLeadership':
      return reader.bool('memberId')
        ? { op, xid, memberId: reader.identifier(identifierBytesMax, 'memberId') }
        : { op, xid };
  }
}

function checkWatchTurn(mode: CreateMode): void {
  if (!isSequentialMode(mode)) throw new BadArgumentsError(`watchTurn needs a sequential mode, not ${mode}`);
}
