/**
 * The commands replicated through the Raft log, and their encoding into entry payloads.
 *
 * Every change to the coordination state is one command in one entry. The leader chooses
 * everything that is not a pure function of the state (session ids and secrets, the time) and
 * writes it into the command, so every member applies the same command to the same result.
 *
 * Create, set and delete (every client write) use a binary layout (`command-binary.ts`, first
 * byte 0x02); the others are UTF-8 JSON `{ "v": 1, "c": { ... } }` with node data as base64,
 * which is also how every command was written before the binary layout existed: the decoder
 * tells them apart by the first byte and reads both, so existing logs and snapshots' entries
 * stay readable. Decoding validates every field and never throws: a bad payload becomes a
 * typed error result, so one bad entry cannot crash a member's apply loop.
 */
import {
  BadArgumentsError,
  type CreateMode,
  dataBytesMax,
  type ErrorCode,
  identifierBytesMax,
  isCreateMode,
  type MultiOp,
  multiOpsMax,
  pathBytesMax,
  TooLargeError,
} from '@keel/protocol';
import {
  commandBytesMax,
  commandFormatVersion,
  expectedVersionMax,
  sessionTimeoutMsMax,
  touchSessionsMax,
  ttlMsMax,
} from '../constants';
import {
  BinaryCommandReader,
  BinaryCommandWriter,
  binaryCommandTag,
  binaryFlags,
  binaryModes,
  binaryStringBytesMax,
  binaryTypes,
  TruncatedCommandError,
} from './command-binary';

/** Fields of every command that changes nodes. */
export interface NodeCommandBase {
  /** The session that sent the request; `null` for a member's own writes. Unknown: `SessionExpired`. */
  readonly sessionId: string | null;
  /** The leader's clock when it proposed the command, milliseconds since the Unix epoch. */
  readonly time: number;
  /** See {@link RequestTagged}. */
  readonly requestId?: string;
  /** The connection that sent it; refused with `SessionMoved` unless it owns the session. */
  readonly owner?: string;
  /** The owner's number for this command (see `Session.sequence`). */
  readonly sequence?: number;
}

/**
 * A command sent on behalf of a client carries a request id unique in the cluster's history
 * (member id, boot id, counter). The member that sent it waits for that id to be applied, and
 * the state machine applies an id only once, so a command delivered twice changes nothing the
 * second time.
 */
export interface RequestTagged {
  readonly requestId?: string;
}

/** Creates a node (for sequential modes `path` is the prefix). */
export interface CreateCommand extends NodeCommandBase {
  readonly type: 'create';
  readonly path: string;
  readonly data: Uint8Array;
  readonly mode: CreateMode;
  readonly ttlMs?: number;
}

/** Deletes a node; `expectedVersion` absent or -1 matches any version. */
export interface DeleteCommand extends NodeCommandBase {
  readonly type: 'delete';
  readonly path: string;
  readonly expectedVersion?: number;
}

/** Replaces a node's data; `expectedVersion` absent or -1 matches any version. */
export interface SetCommand extends NodeCommandBase {
  readonly type: 'set';
  readonly path: string;
  readonly data: Uint8Array;
  readonly expectedVersion?: number;
}

/** One operation of a multi command: the protocol's multi operation, carried as sent. */
export type MultiCommandOp = MultiOp;

/** Applies operations all or nothing, in one revision. */
export interface MultiCommand extends NodeCommandBase {
  readonly type: 'multi';
  readonly ops: readonly MultiCommandOp[];
}

/** Opens a session with the id, secret and timeout the member the client reached chose. */
export interface CreateSessionCommand extends RequestTagged {
  readonly type: 'createSession';
  readonly sessionId: string;
  readonly secret: string;
  readonly timeoutMs: number;
  readonly time: number;
  /** The connection that serves the new session. */
  readonly owner?: string;
}

/** A client resumed its session on another connection, which now owns it. */
export interface MoveSessionCommand extends RequestTagged {
  readonly type: 'moveSession';
  readonly sessionId: string;
  readonly owner: string;
  readonly time: number;
}

/** Ends a session (closed by its client or expired by the leader) and deletes its ephemerals. */
export interface CloseSessionCommand extends RequestTagged {
  readonly type: 'closeSession';
  readonly sessionId: string;
  readonly reason: 'closed' | 'expired';
  readonly time: number;
  /** For a client's close: the connection that sent it (see `NodeCommandBase.owner`). */
  readonly owner?: string;
  /** For a client's close: its number (see `Session.sequence`). */
  readonly sequence?: number;
}

/**
 * Deletes every TTL node whose TTL has run out at `time`. The leader proposes it when
 * `ttlCandidates(time)` is not empty; members recompute the candidates from their own state.
 */
export interface SweepCommand {
  readonly type: 'sweep';
  readonly time: number;
}

/**
 * Sessions a member heard from since its previous report, so the leader (the only member that
 * expires sessions) knows they are alive. Changes no replicated state; only the leader acts on it.
 */
export interface TouchSessionsCommand {
  readonly type: 'touchSessions';
  readonly sessionIds: readonly string[];
  readonly time: number;
}

/** Every replicated command. */
export type Command =
  | CreateCommand
  | DeleteCommand
  | SetCommand
  | MultiCommand
  | CreateSessionCommand
  | MoveSessionCommand
  | CloseSessionCommand
  | SweepCommand
  | TouchSessionsCommand;

/** Why a payload could not be decoded. */
export interface CommandDecodeError {
  readonly ok: false;
  readonly code: Extract<ErrorCode, 'BadArguments' | 'TooLarge'>;
  readonly message: string;
}

/** The result of {@link decodeCommand}. */
export type CommandDecodeResult = { readonly ok: true; readonly command: Command } | CommandDecodeError;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Encodes a command into an entry payload. Throws `BadArgumentsError` / `TooLargeError` on a
 * command that could not be decoded back.
 */
export function encodeCommand(command: Command): Uint8Array {
  const bytes =
    encodeBinary(command) ?? encoder.encode(JSON.stringify({ v: commandFormatVersion, c: toJson(command) }));
  // Assert before writing what the decoder will check after reading.
  const check = decodeCommand(bytes);
  if (!check.ok) {
    // Typed, because a client request can reach here with a value the wire allows but a command
    // does not (an expectedVersion over 2^31 - 1, a TTL over ten years): it gets this error.
    const message = `invalid command: ${check.message}`;
    throw check.code === 'TooLarge' ? new TooLargeError(message) : new BadArgumentsError(message);
  }
  return bytes;
}

type BinaryCommand = CreateCommand | SetCommand | DeleteCommand;

/** The binary layout of a create, set or delete; null for other commands or a string too long for it. */
function encodeBinary(command: Command): Uint8Array | null {
  if (command.type !== 'create' && command.type !== 'set' && command.type !== 'delete') return null;
  const strings = [command.path];
  let flags = 0;
  let bytes = 3 + 8;
  if (command.sessionId !== null) {
    flags |= binaryFlags.sessionId;
    strings.push(command.sessionId);
  }
  if (command.requestId !== undefined) {
    flags |= binaryFlags.requestId;
    strings.push(command.requestId);
  }
  if (command.owner !== undefined) {
    flags |= binaryFlags.owner;
    strings.push(command.owner);
  }
  if (command.sequence !== undefined) {
    flags |= binaryFlags.sequence;
    bytes += 8;
  }
  for (const value of strings) {
    const length = BinaryCommandWriter.stringBytes(value);
    if (length - 2 > binaryStringBytesMax) return null;
    bytes += length;
  }
  const modeByte = command.type === 'create' ? binaryModes.indexOf(command.mode) : 0;
  if (modeByte < 0) return null;
  if (command.type === 'create') {
    bytes += 1;
    if (command.ttlMs !== undefined) {
      flags |= binaryFlags.ttlMs;
      bytes += 8;
    }
  } else if (command.expectedVersion !== undefined) {
    flags |= binaryFlags.expectedVersion;
    bytes += 4;
  }
  if (command.type !== 'delete') bytes += 4 + command.data.byteLength;
  // Values the layout cannot hold exactly go to JSON, whose decoder refuses them with a typed error.
  if (
    !Number.isSafeInteger(command.time) ||
    (command.sequence !== undefined && !Number.isSafeInteger(command.sequence))
  )
    return null;
  if (command.type !== 'create' && command.expectedVersion !== undefined && !isInt32(command.expectedVersion))
    return null;
  if (command.type === 'create' && command.ttlMs !== undefined && !Number.isSafeInteger(command.ttlMs)) return null;
  return writeBinary(command, flags, modeByte, bytes);
}

function writeBinary(command: BinaryCommand, flags: number, modeByte: number, bytes: number): Uint8Array {
  const writer = new BinaryCommandWriter(bytes);
  writer.u8(binaryCommandTag);
  writer.u8(binaryTypes[command.type]);
  writer.u8(flags);
  writer.f64(command.time);
  if (command.sessionId !== null) writer.string(command.sessionId);
  if (command.requestId !== undefined) writer.string(command.requestId);
  if (command.owner !== undefined) writer.string(command.owner);
  if (command.sequence !== undefined) writer.f64(command.sequence);
  writer.string(command.path);
  switch (command.type) {
    case 'create':
      writer.u8(modeByte);
      if (command.ttlMs !== undefined) writer.f64(command.ttlMs);
      writer.bytes(command.data);
      break;
    case 'set':
      if (command.expectedVersion !== undefined) writer.i32(command.expectedVersion);
      writer.bytes(command.data);
      break;
    case 'delete':
      if (command.expectedVersion !== undefined) writer.i32(command.expectedVersion);
      break;
  }
  return writer.finish();
}

function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31;
}

const knownFlags = Object.values(binaryFlags).reduce((all, flag) => all | flag, 0);

/** Reads and validates a binary create, set or delete (see `command-binary.ts`). */
function readBinary(payload: Uint8Array): Command {
  const reader = new BinaryCommandReader(payload);
  reader.u8();
  const type = reader.u8();
  const flags = reader.u8();
  if ((flags & ~knownFlags) !== 0) throw new Invalid('BadArguments', 'unknown command flags');
  const has = (flag: number): boolean => (flags & flag) !== 0;
  const time = timeField(reader.f64());
  const sessionId = has(binaryFlags.sessionId) ? identifierField(reader.string(), 'sessionId') : null;
  const requestId = has(binaryFlags.requestId) ? requestIdField(reader.string()) : undefined;
  const owner = has(binaryFlags.owner) ? ownerField(reader.string()) : undefined;
  const sequence = has(binaryFlags.sequence) ? sequenceField(reader.f64()) : undefined;
  const path = pathField(reader.string());
  // Built as one literal plus the optional fields present: spreads of optional parts cost an
  // object and a generic copy each, on every member for every write.
  let command: Writable<CreateCommand> | Writable<SetCommand> | Writable<DeleteCommand>;
  switch (type) {
    case binaryTypes.create: {
      if (has(binaryFlags.expectedVersion)) throw new Invalid('BadArguments', 'a create has no expected version');
      const mode = binaryModes[reader.u8()];
      if (mode === undefined) throw new Invalid('BadArguments', 'unknown create mode');
      const ttlMs = has(binaryFlags.ttlMs) ? ttlField(reader.f64()) : undefined;
      command = { type: 'create', time, sessionId, path, data: binaryData(reader), mode };
      if (ttlMs !== undefined) command.ttlMs = ttlMs;
      break;
    }
    case binaryTypes.set:
    case binaryTypes.delete: {
      if (has(binaryFlags.ttlMs)) throw new Invalid('BadArguments', 'only a create has a TTL');
      const expectedVersion = has(binaryFlags.expectedVersion) ? versionField(reader.i32()) : undefined;
      command =
        type === binaryTypes.set
          ? { type: 'set', time, sessionId, path, data: binaryData(reader) }
          : { type: 'delete', time, sessionId, path };
      if (expectedVersion !== undefined) command.expectedVersion = expectedVersion;
      break;
    }
    default:
      throw new Invalid('BadArguments', `unknown binary command type ${type}`);
  }
  if (requestId !== undefined) command.requestId = requestId;
  if (owner !== undefined) command.owner = owner;
  if (sequence !== undefined) command.sequence = sequence;
  if (!reader.done) throw new Invalid('BadArguments', 'bytes after the end of the command');
  return command;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

function binaryData(reader: BinaryCommandReader): Uint8Array {
  const data = reader.bytes();
  if (data.byteLength > dataBytesMax) throw new Invalid('TooLarge', `data is over ${dataBytesMax} bytes`);
  return data;
}

function toJson(command: Command): Record<string, unknown> {
  switch (command.type) {
    case 'create':
    case 'set':
      return { ...command, data: base64(command.data) };
    case 'multi':
      return { ...command, ops: command.ops.map((op) => ('data' in op ? { ...op, data: base64(op.data) } : op)) };
    default:
      return { ...command };
  }
}

function base64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

class Invalid extends Error {
  constructor(
    readonly code: CommandDecodeError['code'],
    message: string,
  ) {
    super(message);
  }
}

/** Decodes and validates an entry payload; never throws. */
export function decodeCommand(payload: Uint8Array): CommandDecodeResult {
  if (payload.byteLength > commandBytesMax) {
    return { ok: false, code: 'TooLarge', message: `command is ${payload.byteLength} bytes, over ${commandBytesMax}` };
  }
  if (payload[0] === binaryCommandTag) {
    try {
      return { ok: true, command: readBinary(payload) };
    } catch (error) {
      if (error instanceof Invalid) return { ok: false, code: error.code, message: error.message };
      if (error instanceof TruncatedCommandError) return { ok: false, code: 'BadArguments', message: error.message };
      return { ok: false, code: 'BadArguments', message: 'malformed command' };
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(payload));
  } catch {
    return { ok: false, code: 'BadArguments', message: 'command is not UTF-8 JSON' };
  }
  try {
    const envelope = record(json, 'command');
    if (envelope.v !== commandFormatVersion)
      throw new Invalid('BadArguments', `unknown command version ${String(envelope.v)}`);
    return { ok: true, command: readCommand(record(envelope.c, 'command body')) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, code: error.code, message: error.message };
    return { ok: false, code: 'BadArguments', message: 'malformed command' };
  }
}

function readCommand(c: Record<string, unknown>): Command {
  switch (c.type) {
    case 'create':
      return {
        type: 'create',
        ...readBase(c),
        path: pathField(c.path),
        data: dataField(c.data),
        mode: modeField(c.mode),
        ...optional('ttlMs', c.ttlMs, ttlField),
      };
    case 'delete':
      return {
        type: 'delete',
        ...readBase(c),
        path: pathField(c.path),
        ...optional('expectedVersion', c.expectedVersion, versionField),
      };
    case 'set':
      return {
        type: 'set',
        ...readBase(c),
        path: pathField(c.path),
        data: dataField(c.data),
        ...optional('expectedVersion', c.expectedVersion, versionField),
      };
    case 'multi': {
      if (!Array.isArray(c.ops)) throw new Invalid('BadArguments', 'multi ops must be an array');
      if (c.ops.length > multiOpsMax)
        throw new Invalid('TooLarge', `multi has ${c.ops.length} ops, over ${multiOpsMax}`);
      return { type: 'multi', ...readBase(c), ops: c.ops.map((op) => readMultiOp(record(op, 'multi op'))) };
    }
    case 'createSession':
      return {
        type: 'createSession',
        sessionId: identifierField(c.sessionId, 'sessionId'),
        secret: identifierField(c.secret, 'secret'),
        timeoutMs: integerField(c.timeoutMs, 'timeoutMs', 1, sessionTimeoutMsMax),
        time: timeField(c.time),
        ...optional('requestId', c.requestId, requestIdField),
        ...optional('owner', c.owner, ownerField),
      };
    case 'moveSession':
      return {
        type: 'moveSession',
        sessionId: identifierField(c.sessionId, 'sessionId'),
        owner: ownerField(c.owner),
        time: timeField(c.time),
        ...optional('requestId', c.requestId, requestIdField),
      };
    case 'closeSession': {
      if (c.reason !== 'closed' && c.reason !== 'expired') throw new Invalid('BadArguments', 'bad close reason');
      return {
        type: 'closeSession',
        sessionId: identifierField(c.sessionId, 'sessionId'),
        reason: c.reason,
        time: timeField(c.time),
        ...optional('requestId', c.requestId, requestIdField),
        ...optional('owner', c.owner, ownerField),
        ...optional('sequence', c.sequence, sequenceField),
      };
    }
    case 'sweep':
      return { type: 'sweep', time: timeField(c.time) };
    case 'touchSessions': {
      if (!Array.isArray(c.sessionIds)) throw new Invalid('BadArguments', 'sessionIds must be an array');
      if (c.sessionIds.length > touchSessionsMax) {
        throw new Invalid('TooLarge', `touchSessions lists ${c.sessionIds.length} sessions, over ${touchSessionsMax}`);
      }
      return {
        type: 'touchSessions',
        sessionIds: c.sessionIds.map((id) => identifierField(id, 'sessionId')),
        time: timeField(c.time),
      };
    }
    default:
      throw new Invalid('BadArguments', `unknown command type ${JSON.stringify(String(c.type)).slice(0, 80)}`);
  }
}

function readMultiOp(o: Record<string, unknown>): MultiCommandOp {
  switch (o.op) {
    case 'check':
      return { op: 'check', path: pathField(o.path), expectedVersion: versionField(o.expectedVersion) };
    case 'create':
      return {
        op: 'create',
        path: pathField(o.path),
        data: dataField(o.data),
        mode: modeField(o.mode),
        ...optional('ttlMs', o.ttlMs, ttlField),
      };
    case 'set':
      return {
        op: 'set',
        path: pathField(o.path),
        data: dataField(o.data),
        ...optional('expectedVersion', o.expectedVersion, versionField),
      };
    case 'delete':
      return { op: 'delete', path: pathField(o.path), ...optional('expectedVersion', o.expectedVersion, versionField) };
    default:
      throw new Invalid('BadArguments', 'unknown multi op');
  }
}

function readBase(c: Record<string, unknown>): NodeCommandBase {
  const sessionId = c.sessionId === null ? null : identifierField(c.sessionId, 'sessionId');
  return {
    sessionId,
    time: timeField(c.time),
    ...optional('requestId', c.requestId, requestIdField),
    ...optional('owner', c.owner, ownerField),
    ...optional('sequence', c.sequence, sequenceField),
  };
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Invalid('BadArguments', `${what} must be an object`);
  }
  return value as Record<string, unknown>;
}

function optional<K extends string, T>(key: K, value: unknown, read: (value: unknown) => T): { [P in K]?: T } {
  if (value === undefined) return {};
  return { [key]: read(value) } as { [P in K]?: T };
}

// The path's rules are checked at apply time so the error can name the path; here only its type and size.
function pathField(value: unknown): string {
  if (typeof value !== 'string') throw new Invalid('BadArguments', 'path must be a string');
  if (value.length > pathBytesMax) throw new Invalid('BadArguments', 'path is too long');
  return value;
}

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

function dataField(value: unknown): Uint8Array {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !base64Pattern.test(value)) {
    throw new Invalid('BadArguments', 'data must be base64');
  }
  if ((value.length / 4) * 3 > dataBytesMax + 2) throw new Invalid('TooLarge', `data is over ${dataBytesMax} bytes`);
  const buffer = Buffer.from(value, 'base64');
  if (buffer.byteLength > dataBytesMax) throw new Invalid('TooLarge', `data is over ${dataBytesMax} bytes`);
  // Non-canonical base64 (stray bits in the padding) would decode differently elsewhere.
  if (buffer.toString('base64') !== value) throw new Invalid('BadArguments', 'data must be canonical base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function modeField(value: unknown): CreateMode {
  if (!isCreateMode(value)) throw new Invalid('BadArguments', 'unknown create mode');
  return value;
}

function versionField(value: unknown): number {
  return integerField(value, 'expectedVersion', -1, expectedVersionMax);
}

function ttlField(value: unknown): number {
  return integerField(value, 'ttlMs', 1, ttlMsMax);
}

function timeField(value: unknown): number {
  return integerField(value, 'time', 0, Number.MAX_SAFE_INTEGER);
}

function integerField(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new Invalid('BadArguments', `${name} must be an integer in [${min}, ${max}]`);
  }
  return value;
}

function sequenceField(value: unknown): number {
  return integerField(value, 'sequence', 1, Number.MAX_SAFE_INTEGER);
}

function ownerField(value: unknown): string {
  return identifierField(value, 'owner');
}

function requestIdField(value: unknown): string {
  return identifierField(value, 'requestId');
}

function identifierField(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0 || Buffer.byteLength(value, 'utf8') > identifierBytesMax) {
    throw new Invalid('BadArguments', `${name} must be a non-empty string of at most ${identifierBytesMax} bytes`);
  }
  return value;
}
