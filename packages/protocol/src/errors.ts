/**
 * Error codes and error classes shared by the Keel server and client.
 *
 * The first thirteen codes are the operation errors of the coordination state machine
 * (DESIGN §3), the names a ZooKeeper user knows. The rest are added for the protocol itself:
 *
 * - `NotLeader`: an admin operation that only the leader can perform reached a follower, or a
 *   follower could not reach any leader to forward a write to. Retryable elsewhere.
 * - `SessionMoved`: the session was resumed on another connection; requests still arriving on
 *   the old connection are refused so they cannot be reordered with the new ones.
 * - `NoWatcher`: removeWatch named a watch that is not registered.
 * - `Unimplemented`: a well-formed request this member does not support (an older member).
 * - `Timeout`: the request was not answered in time. The client raises it for its own
 *   per-request timeout; a member may send it when a forwarded write or a ReadIndex times out.
 *   The outcome of a timed-out write is unknown.
 * - `Aborted`, `Closed`: client-local. The caller's `AbortSignal` fired, or the client was
 *   closed while the request was pending. A member never sends them.
 */

/** Every error code, as a value. */
export const ErrorCode = {
  NoNode: 'NoNode',
  NodeExists: 'NodeExists',
  BadVersion: 'BadVersion',
  NotEmpty: 'NotEmpty',
  NoChildrenForEphemerals: 'NoChildrenForEphemerals',
  BadArguments: 'BadArguments',
  SessionExpired: 'SessionExpired',
  ConnectionLoss: 'ConnectionLoss',
  NotReadOnly: 'NotReadOnly',
  Unauthorized: 'Unauthorized',
  TooLarge: 'TooLarge',
  Throttled: 'Throttled',
  Internal: 'Internal',
  NotLeader: 'NotLeader',
  SessionMoved: 'SessionMoved',
  NoWatcher: 'NoWatcher',
  Unimplemented: 'Unimplemented',
  Timeout: 'Timeout',
  Aborted: 'Aborted',
  Closed: 'Closed',
} as const;

/** One error code. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Every error code, in a stable order (the order of {@link ErrorCode}). */
export const errorCodes: readonly ErrorCode[] = Object.freeze(Object.values(ErrorCode));

/** Whether a string is a known error code. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ErrorCode, value);
}

/**
 * Codes after which the same request may be sent again (to the same or another member) without
 * changing its meaning. A write that failed with `ConnectionLoss` or `Timeout` may still have
 * been applied; retrying it is only safe when it is conditional (expected version, create).
 */
export const retryableCodes: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ConnectionLoss',
  'Throttled',
  'NotLeader',
  'Timeout',
]);

/** An error as it travels on the wire. */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly path?: string;
}

/** Options of every Keel error. */
export interface KeelErrorOptions {
  /** The node path the failed operation was about. */
  readonly path?: string;
  /** The underlying error, if any. */
  readonly cause?: unknown;
}

// A registered symbol, not instanceof alone: the ESM and CJS builds (or two installed copies)
// each have their own KeelError class, and the guard must recognise errors from either.
const keelErrorBrand = Symbol.for('keel.KeelError');

/** Base class of every error Keel raises; `code` says which failure it is. */
export class KeelError extends Error {
  override name = 'KeelError';
  readonly code: ErrorCode;
  declare readonly path?: string;

  constructor(code: ErrorCode, message: string, options: KeelErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    Object.defineProperty(this, keelErrorBrand, { value: true });
    if (options.path !== undefined) this.path = options.path;
  }

  /** The wire form of this error. */
  toWire(): WireError {
    return this.path === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, path: this.path };
  }
}

/** No node exists at the path. */
export class NoNodeError extends KeelError {
  override name = 'NoNodeError';
  declare readonly code: 'NoNode';
  constructor(message = 'no node at this path', options?: KeelErrorOptions) {
    super('NoNode', message, options);
  }
}

/** A node already exists at the path. */
export class NodeExistsError extends KeelError {
  override name = 'NodeExistsError';
  declare readonly code: 'NodeExists';
  constructor(message = 'a node already exists at this path', options?: KeelErrorOptions) {
    super('NodeExists', message, options);
  }
}

/** The node's version is not the expected one. */
export class BadVersionError extends KeelError {
  override name = 'BadVersionError';
  declare readonly code: 'BadVersion';
  constructor(message = 'the node version does not match the expected version', options?: KeelErrorOptions) {
    super('BadVersion', message, options);
  }
}

/** The node has children and cannot be deleted. */
export class NotEmptyError extends KeelError {
  override name = 'NotEmptyError';
  declare readonly code: 'NotEmpty';
  constructor(message = 'the node has children', options?: KeelErrorOptions) {
    super('NotEmpty', message, options);
  }
}

/** Ephemeral nodes cannot have children. */
export class NoChildrenForEphemeralsError extends KeelError {
  override name = 'NoChildrenForEphemeralsError';
  declare readonly code: 'NoChildrenForEphemerals';
  constructor(message = 'ephemeral nodes cannot have children', options?: KeelErrorOptions) {
    super('NoChildrenForEphemerals', message, options);
  }
}

/** The request is malformed: a bad path, a bad argument, an unknown operation. */
export class BadArgumentsError extends KeelError {
  override name = 'BadArgumentsError';
  declare readonly code: 'BadArguments';
  constructor(message = 'bad arguments', options?: KeelErrorOptions) {
    super('BadArguments', message, options);
  }
}

/** The session expired; its ephemeral nodes are gone. */
export class SessionExpiredError extends KeelError {
  override name = 'SessionExpiredError';
  declare readonly code: 'SessionExpired';
  constructor(message = 'the session expired', options?: KeelErrorOptions) {
    super('SessionExpired', message, options);
  }
}

/** The connection was lost before an answer arrived; the session may still be alive. */
export class ConnectionLossError extends KeelError {
  override name = 'ConnectionLossError';
  declare readonly code: 'ConnectionLoss';
  constructor(message = 'the connection was lost', options?: KeelErrorOptions) {
    super('ConnectionLoss', message, options);
  }
}

/** A write reached a member that only serves reads. */
export class NotReadOnlyError extends KeelError {
  override name = 'NotReadOnlyError';
  declare readonly code: 'NotReadOnly';
  constructor(message = 'this member serves reads only', options?: KeelErrorOptions) {
    super('NotReadOnly', message, options);
  }
}

/** The session may not perform this operation. */
export class UnauthorizedError extends KeelError {
  override name = 'UnauthorizedError';
  declare readonly code: 'Unauthorized';
  constructor(message = 'not authorized', options?: KeelErrorOptions) {
    super('Unauthorized', message, options);
  }
}

/** A request, its data or its response is over a limit. */
export class TooLargeError extends KeelError {
  override name = 'TooLargeError';
  declare readonly code: 'TooLarge';
  constructor(message = 'over a size limit', options?: KeelErrorOptions) {
    super('TooLarge', message, options);
  }
}

/** The member is shedding load; retry later. */
export class ThrottledError extends KeelError {
  override name = 'ThrottledError';
  declare readonly code: 'Throttled';
  constructor(message = 'too many requests; retry later', options?: KeelErrorOptions) {
    super('Throttled', message, options);
  }
}

/** A failure inside the member that is not the caller's fault. */
export class InternalError extends KeelError {
  override name = 'InternalError';
  declare readonly code: 'Internal';
  constructor(message = 'internal error', options?: KeelErrorOptions) {
    super('Internal', message, options);
  }
}

/** Only the leader can do this, or no leader could be reached. */
export class NotLeaderError extends KeelError {
  override name = 'NotLeaderError';
  declare readonly code: 'NotLeader';
  constructor(message = 'this member is not the leader', options?: KeelErrorOptions) {
    super('NotLeader', message, options);
  }
}

/** The session now lives on another connection. */
export class SessionMovedError extends KeelError {
  override name = 'SessionMovedError';
  declare readonly code: 'SessionMoved';
  constructor(message = 'the session moved to another connection', options?: KeelErrorOptions) {
    super('SessionMoved', message, options);
  }
}

/** No such watch is registered. */
export class NoWatcherError extends KeelError {
  override name = 'NoWatcherError';
  declare readonly code: 'NoWatcher';
  constructor(message = 'no such watch', options?: KeelErrorOptions) {
    super('NoWatcher', message, options);
  }
}

/** The member does not support this operation. */
export class UnimplementedError extends KeelError {
  override name = 'UnimplementedError';
  declare readonly code: 'Unimplemented';
  constructor(message = 'operation not supported by this member', options?: KeelErrorOptions) {
    super('Unimplemented', message, options);
  }
}

/** No answer in time; the outcome of a write is unknown. */
export class TimeoutError extends KeelError {
  override name = 'TimeoutError';
  declare readonly code: 'Timeout';
  constructor(message = 'the request timed out', options?: KeelErrorOptions) {
    super('Timeout', message, options);
  }
}

/** The caller aborted the request. */
export class AbortedError extends KeelError {
  override name = 'AbortedError';
  declare readonly code: 'Aborted';
  constructor(message = 'the request was aborted', options?: KeelErrorOptions) {
    super('Aborted', message, options);
  }
}

/** The client was closed. */
export class ClosedError extends KeelError {
  override name = 'ClosedError';
  declare readonly code: 'Closed';
  constructor(message = 'the client is closed', options?: KeelErrorOptions) {
    super('Closed', message, options);
  }
}

/** The constructor of an error class of one code. */
export type KeelErrorClass<C extends ErrorCode = ErrorCode> = new (
  message?: string,
  options?: KeelErrorOptions,
) => KeelError & { readonly code: C };

/** The error class of every code. */
export const errorClasses: { readonly [C in ErrorCode]: KeelErrorClass<C> } = Object.freeze({
  NoNode: NoNodeError,
  NodeExists: NodeExistsError,
  BadVersion: BadVersionError,
  NotEmpty: NotEmptyError,
  NoChildrenForEphemerals: NoChildrenForEphemeralsError,
  BadArguments: BadArgumentsError,
  SessionExpired: SessionExpiredError,
  ConnectionLoss: ConnectionLossError,
  NotReadOnly: NotReadOnlyError,
  Unauthorized: UnauthorizedError,
  TooLarge: TooLargeError,
  Throttled: ThrottledError,
  Internal: InternalError,
  NotLeader: NotLeaderError,
  SessionMoved: SessionMovedError,
  NoWatcher: NoWatcherError,
  Unimplemented: UnimplementedError,
  Timeout: TimeoutError,
  Aborted: AbortedError,
  Closed: ClosedError,
});

/** Builds the error of a code, with its class. */
export function keelError<C extends ErrorCode>(
  code: C,
  message?: string,
  options?: KeelErrorOptions,
): KeelError & { readonly code: C } {
  const ErrorClass: KeelErrorClass<C> = errorClasses[code];
  return new ErrorClass(message, options);
}

/**
 * Turns an error received on the wire into its class. A code this version does not know (sent
 * by a newer member) becomes an `InternalError` whose message names the code, so an old client
 * still fails the request instead of dropping the answer.
 */
export function errorFromWire(wire: WireError): KeelError {
  const options = wire.path === undefined ? undefined : { path: wire.path };
  if (isErrorCode(wire.code)) return keelError(wire.code, wire.message, options);
  return new InternalError(`unknown error code ${JSON.stringify(wire.code)}: ${wire.message}`, options);
}

/**
 * The wire form of anything thrown while serving a request: a Keel error keeps its code, any
 * other value is a bug in the member and becomes `Internal` (its details stay on the member).
 */
export function errorToWire(error: unknown): WireError {
  if (isKeelError(error)) return error.toWire();
  return { code: 'Internal', message: 'internal error' };
}

/** Whether a value is a Keel error, optionally of one code. */
export function isKeelError<C extends ErrorCode>(value: unknown, code?: C): value is KeelError & { readonly code: C } {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<PropertyKey, unknown>;
  return (
    candidate[keelErrorBrand] === true && isErrorCode(candidate.code) && (code === undefined || candidate.code === code)
  );
}
