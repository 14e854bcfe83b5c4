/**
 * Encoders and decoders of the composite fields shared by several frames: stat, create
 * arguments, multi operations and results, error bodies.
 */
import { identifierBytesMax, textBytesMax } from '../constants';
import { BadArgumentsError, type ErrorCode, isErrorCode, TooLargeError } from '../errors';
import type { MultiOp, MultiResult } from '../messages';
import { type CreateMode, createModes, isTtlMode } from '../modes';
import { validateCreatePath } from '../paths';
import type { Stat } from '../stat';
import type { FrameReader } from './reader';
import type { FrameWriter } from './writer';

export function writeStat(writer: FrameWriter, stat: Stat): void {
  if (typeof stat !== 'object' || stat === null) throw new BadArgumentsError('stat must be an object');
  writer.uint(stat.version, 'stat.version');
  writer.uint(stat.childrenVersion, 'stat.childrenVersion');
  writer.uint(stat.createdRevision, 'stat.createdRevision');
  writer.uint(stat.modifiedRevision, 'stat.modifiedRevision');
  writer.uint(stat.childrenRevision, 'stat.childrenRevision');
  writer.uint(stat.createdAt, 'stat.createdAt');
  writer.uint(stat.modifiedAt, 'stat.modifiedAt');
  writer.optionalString(stat.ephemeralOwner, identifierBytesMax, 'stat.ephemeralOwner');
  writer.uint(stat.dataLength, 'stat.dataLength');
  writer.uint(stat.numChildren, 'stat.numChildren');
}

export function readStat(reader: FrameReader): Stat {
  return {
    version: reader.uint('stat.version'),
    childrenVersion: reader.uint('stat.childrenVersion'),
    createdRevision: reader.uint('stat.createdRevision'),
    modifiedRevision: reader.uint('stat.modifiedRevision'),
    childrenRevision: reader.uint('stat.childrenRevision'),
    createdAt: reader.uint('stat.createdAt'),
    modifiedAt: reader.uint('stat.modifiedAt'),
    ephemeralOwner: reader.optionalString(identifierBytesMax, 'stat.ephemeralOwner'),
    dataLength: reader.uint('stat.dataLength'),
    numChildren: reader.uint('stat.numChildren'),
  };
}

/** The arguments of a create, as in a create request and a multi's create operation. */
export interface CreateArguments {
  readonly path: string;
  readonly data: Uint8Array;
  readonly mode: CreateMode;
  readonly ttlMs?: number;
}

function checkTtl(mode: CreateMode, ttlMs: number | undefined): void {
  if (isTtlMode(mode)) {
    if (ttlMs === undefined || ttlMs === 0) throw new BadArgumentsError(`mode ${mode} needs a positive ttlMs`);
  } else if (ttlMs !== undefined) {
    throw new BadArgumentsError(`ttlMs is only allowed with a TTL mode, not ${mode}`);
  }
}

export function writeCreate(writer: FrameWriter, create: CreateArguments): void {
  // Checked before it is written: the mode, written after it, decides its rules.
  const check = validateCreatePath(create.path, create.mode, writer.limits.pathBytesMax);
  if (!check.ok) throw check.error;
  writer.string(create.path, writer.limits.pathBytesMax, 'path');
  writer.bytes(create.data, writer.limits.dataBytesMax, 'data');
  writer.tag(create.mode, createModes, 'mode');
  writer.optionalUint(create.ttlMs, 'ttlMs');
  checkTtl(create.mode, create.ttlMs);
}

export function readCreate(reader: FrameReader): CreateArguments {
  const path = reader.string(reader.limits.pathBytesMax, 'path');
  const data = reader.bytes(reader.limits.dataBytesMax, 'data');
  const mode = reader.tag(createModes, 'mode');
  const check = validateCreatePath(path, mode, reader.limits.pathBytesMax);
  if (!check.ok) throw check.error;
  const ttlMs = reader.optionalUint('ttlMs');
  checkTtl(mode, ttlMs);
  return ttlMs === undefined ? { path, data, mode } : { path, data, mode, ttlMs };
}

const multiOpNames = ['check', 'create', 'set', 'delete'] as const;

export function writeMultiOps(writer: FrameWriter, ops: readonly MultiOp[]): void {
  if (!Array.isArray(ops)) throw new BadArgumentsError('ops must be an array');
  if (ops.length > writer.limits.multiOpsMax)
    throw new TooLargeError(`multi has over ${writer.limits.multiOpsMax} ops`);
  writer.uint(ops.length, 'ops');
  for (const op of ops) {
    writer.tag(op.op, multiOpNames, 'multi op');
    switch (op.op) {
      case 'check':
        writer.path(op.path);
        writer.uint(op.expectedVersion, 'expectedVersion');
        break;
      case 'create':
        writeCreate(writer, op);
        break;
      case 'set':
        writer.path(op.path);
        writer.bytes(op.data, writer.limits.dataBytesMax, 'data');
        writer.optionalUint(op.expectedVersion, 'expectedVersion');
        break;
      case 'delete':
        writer.path(op.path);
        writer.optionalUint(op.expectedVersion, 'expectedVersion');
        break;
    }
  }
}

export function readMultiOps(reader: FrameReader): MultiOp[] {
  const count = reader.count(reader.limits.multiOpsMax, 'ops');
  const ops: MultiOp[] = [];
  for (let i = 0; i < count; i++) {
    const op = reader.tag(multiOpNames, 'multi op');
    switch (op) {
      case 'check':
        ops.push({ op, path: reader.path(), expectedVersion: reader.uint('expectedVersion') });
        break;
      case 'create':
        ops.push({ op, ...readCreate(reader) });
        break;
      case 'set': {
        const path = reader.path();
        const data = reader.bytes(reader.limits.dataBytesMax, 'data');
        const expectedVersion = reader.optionalUint('expectedVersion');
        ops.push(expectedVersion === undefined ? { op, path, data } : { op, path, data, expectedVersion });
        break;
      }
      case 'delete': {
        const path = reader.path();
        const expectedVersion = reader.optionalUint('expectedVersion');
        ops.push(expectedVersion === undefined ? { op, path } : { op, path, expectedVersion });
        break;
      }
    }
  }
  return ops;
}

/** The body of an error: code, message, optional path. */
export interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
  readonly path?: string;
}

// Codes travel as strings, not tags: errors are rare, and a code added by a newer member must
// still be readable by an older client (it decodes to Internal, naming the unknown code).
export function writeErrorBody(writer: FrameWriter, error: ErrorBody): void {
  if (!isErrorCode(error.code)) throw new BadArgumentsError(`unknown error code ${String(error.code)}`);
  writer.identifier(error.code, identifierBytesMax, 'error code');
  writer.string(error.message, textBytesMax, 'error message');
  writer.bool(error.path !== undefined, 'error path');
  if (error.path !== undefined) writer.path(error.path);
}

export function readErrorBody(reader: FrameReader): ErrorBody {
  const wireCode = reader.identifier(identifierBytesMax, 'error code');
  const wireMessage = reader.string(textBytesMax, 'error message');
  const path = reader.bool('error path') ? reader.path() : undefined;
  const known = isErrorCode(wireCode);
  const code: ErrorCode = known ? wireCode : 'Internal';
  const message = known ? wireMessage : `unknown error code ${JSON.stringify(wireCode)}: ${wireMessage}`;
  return path === undefined ? { code, message } : { code, message, path };
}

const multiResultNames = ['check', 'create', 'set', 'delete', 'error', 'rolledBack'] as const;

export function writeMultiResults(writer: FrameWriter, results: readonly MultiResult[]): void {
  if (!Array.isArray(results)) throw new BadArgumentsError('results must be an array');
  if (results.length > writer.limits.multiOpsMax) {
    throw new TooLargeError(`multi has over ${writer.limits.multiOpsMax} results`);
  }
  writer.uint(results.length, 'results');
  for (const result of results) {
    writer.tag(result.op, multiResultNames, 'multi result');
    switch (result.op) {
      case 'create':
        writer.path(result.path);
        writeStat(writer, result.stat);
        break;
      case 'set':
        writeStat(writer, result.stat);
        break;
      case 'error':
        writeErrorBody(writer, result);
        break;
      case 'check':
      case 'delete':
      case 'rolledBack':
        break;
    }
  }
}

export function readMultiResults(reader: FrameReader): MultiResult[] {
  const count = reader.count(reader.limits.multiOpsMax, 'results');
  const results: MultiResult[] = [];
  for (let i = 0; i < count; i++) {
    const op = reader.tag(multiResultNames, 'multi result');
    switch (op) {
      case 'create':
        results.push({ op, path: reader.path(), stat: readStat(reader) });
        break;
      case 'set':
        results.push({ op, stat: readStat(reader) });
        break;
      case 'error':
        results.push({ op, ...readErrorBody(reader) });
        break;
      case 'check':
      case 'delete':
      case 'rolledBack':
        results.push({ op });
        break;
    }
  }
  return results;
}
