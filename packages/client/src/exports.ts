/**
 * Everything both entries export besides `connect()`.
 */
export {
  AbortedError,
  BadArgumentsError,
  BadVersionError,
  ClosedError,
  ConnectionLossError,
  CreateMode,
  type ErrorCode,
  InternalError,
  isKeelError,
  KeelError,
  type MemberInfo,
  type MultiResult,
  NoChildrenForEphemeralsError,
  NodeExistsError,
  NoNodeError,
  NotEmptyError,
  NotLeaderError,
  NotReadOnlyError,
  NoWatcherError,
  SessionExpiredError,
  SessionMovedError,
  type Stat,
  ThrottledError,
  TimeoutError,
  TooLargeError,
  UnauthorizedError,
  UnimplementedError,
  type WatchKind,
} from '@keel/protocol';
export type { ClientEvents } from './client-session';
export { type NodeData, toBytes, toText } from './data';
export type {
  ChildrenOptions,
  ChildrenWithStat,
  ClusterMembers,
  CreatedNode,
  CreateOptions,
  ExistsOptions,
  GetOptions,
  KeelClient,
  NodeSnapshot,
  VersionOptions,
  WatchOption,
  WatchOptions,
} from './keel-client';
export { isMultiFailure, type MultiFailure, type MultiOperation, type MultiSuccess } from './multi';
export { type ConnectOptions, parseServers, type RequestOptions } from './options';
export type { ConnectionState } from './states';
export type { WebSocketConstructor } from './transport/web-socket';
export type { StreamEvent, WatchedEvent, WatchedEventType, Watcher } from './watches/watch-event';
export type { WatchStream } from './watches/watch-stream';
