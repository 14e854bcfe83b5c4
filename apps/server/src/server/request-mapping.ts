/**
 * Translations between the wire protocol and the replicated commands: a write request becomes a
 * command, an applied command's result becomes the client's answer, and a Raft runtime failure
 * becomes a typed protocol error.
 */
import type {
  CreateRequest,
  DeleteRequest,
  ErrorCode,
  MultiRequest,
  ServerMessage,
  SetRequest,
  WireError,
} from '@keel/protocol';
import { isKeelError } from '@keel/protocol';
import { isRaftNodeError, NotLeaderError } from '@keel/raft';
import { expectedVersionMax, ttlMsMax } from '../constants';
import type { CreateCommand, DeleteCommand, MultiCommand, SetCommand } from '../state/commands';
import type { CommandResult } from '../state/results';
import { NotHandedOnError } from './write-path';

/** The write requests, which are proposed through Raft. */
export type WriteRequest = CreateRequest | DeleteRequest | SetRequest | MultiRequest;

/** The command of a write request, stamped with the session and the leader's time. */
export function commandOf(
  request: WriteRequest,
  sessionId: string,
  time: number,
): CreateCommand | DeleteCommand | SetCommand | MultiCommand {
  const base = { sessionId, time };
  switch (request.op) {
    case 'create':
      return {
        type: 'create',
        ...base,
        path: request.path,
        data: request.data,
        mode: request.mode,
        ...(request.ttlMs === undefined ? {} : { ttlMs: request.ttlMs }),
      };
    case 'delete':
      return {
        type: 'delete',
        ...base,
        path: request.path,
        ...(request.expectedVersion === undefined ? {} : { expectedVersion: request.expectedVersion }),
      };
    case 'set':
      return {
        type: 'set',
        ...base,
        path: request.path,
        data: request.data,
        ...(request.expectedVersion === undefined ? {} : { expectedVersion: request.expectedVersion }),
      };
    case 'multi':
      return { type: 'multi', ...base, ops: request.ops };
  }
}

/**
 * Why a write request cannot become a command although the wire allowed it (a version over
 * 2^31 - 1, a TTL over ten years), or null. Checked before the request takes a place in its
 * connection's sequence of commands.
 */
export function commandProblem(request: WriteRequest): WireError | null {
  const ops: readonly { expectedVersion?: number; ttlMs?: number; path: string }[] =
    request.op === 'multi' ? request.ops : [request];
  for (const op of ops) {
    if (op.expectedVersion !== undefined && op.expectedVersion > expectedVersionMax) {
      return { code: 'BadArguments', message: `expectedVersion must be at most ${expectedVersionMax}`, path: op.path };
    }
    if (op.ttlMs !== undefined && op.ttlMs > ttlMsMax) {
      return { code: 'BadArguments', message: `ttlMs must be at most ${ttlMsMax}`, path: op.path };
    }
  }
  return null;
}

/** The answer to a write request from its applied result. */
export function answerOf(request: WriteRequest, result: CommandResult, revision: number): ServerMessage {
  const xid = request.xid;
  if (result.type === 'error') return errorAnswer(xid, revision, result);
  if (request.op === 'create' && result.type === 'create') {
    return { type: 'create', xid, revision, path: result.path, stat: result.stat };
  }
  if (request.op === 'set' && result.type === 'set') return { type: 'set', xid, revision, stat: result.stat };
  if (request.op === 'delete' && result.type === 'delete') return { type: 'delete', xid, revision };
  if (request.op === 'multi' && result.type === 'multi')
    return { type: 'multi', xid, revision, results: result.results };
  return errorAnswer(xid, revision, {
    code: 'Internal',
    message: `unexpected result ${result.type} for ${request.op}`,
  });
}

/** An error answer. */
export function errorAnswer(xid: number, revision: number, error: WireError): ServerMessage {
  return {
    type: 'error',
    xid,
    revision,
    code: error.code as ErrorCode,
    message: error.message,
    ...(error.path === undefined ? {} : { path: error.path }),
  };
}

/**
 * The protocol error of a failed proposal or read. A write whose outcome is unknown (the member
 * stopped, leadership moved before it committed) is `ConnectionLoss`, as ZooKeeper reports it.
 */
export function wireErrorOf(error: unknown): WireError {
  if (error instanceof NotHandedOnError) return wireErrorOf(error.cause);
  if (isKeelError(error)) return error.toWire();
  if (error instanceof NotLeaderError) {
    const where = error.leader === null ? 'no leader is known' : `the leader is ${error.leader}`;
    return { code: 'NotLeader', message: `this member is not the leader; ${where}` };
  }
  if (isRaftNodeError(error)) {
    switch (error.code) {
      case 'THROTTLED':
        return { code: 'Throttled', message: error.message };
      case 'TIMEOUT':
        return { code: 'Timeout', message: error.message };
      case 'TOO_LARGE':
        return { code: 'TooLarge', message: error.message };
      // A membership change or a leadership transfer is already in progress: retry later.
      case 'CONF_CHANGE_PENDING':
      case 'TRANSFERRING':
        return { code: 'Throttled', message: error.message };
      case 'INVALID_CONF_CHANGE':
      case 'INVALID_PROPOSAL':
        return { code: 'BadArguments', message: error.message };
      case 'PROPOSAL_DROPPED':
      case 'NODE_STOPPED':
      case 'NODE_FAILED':
      case 'ABORTED':
        return { code: 'ConnectionLoss', message: error.message };
      default:
        return { code: 'Internal', message: error.message };
    }
  }
  return { code: 'Internal', message: 'internal error' };
}
