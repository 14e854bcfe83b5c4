export {
  CodecError,
  type CodecErrorCode,
  type CodecLimits,
  decodeBatch,
  decodeMessage,
  defaultCodecLimits,
  type EncodedFrames,
  encodeBatch,
  encodedMessageSize,
  encodeFrames,
  encodeMessage,
  isCodecError,
  isValidNodeId,
  peerCodecVersion,
  type RejectedMessage,
} from './codec';
export {
  applyConfChange,
  type ConfChangeResult,
  decodeConfChange,
  encodeConfChange,
  isMember,
  isVoter,
} from './core/conf-change';
export {
  defaultRaftConfig,
  type PeerProgress,
  Raft,
  type RaftConfig,
  type RaftInitialState,
  type RaftStatus,
} from './core/raft';
export * from './core/types';
export {
  AbortedError,
  ConfChangePendingError,
  InvalidConfChangeError,
  InvalidProposalError,
  isRaftNodeError,
  NodeFailedError,
  NodeStoppedError,
  NotLeaderError,
  ProposalDroppedError,
  RaftNodeError,
  type RaftNodeErrorCode,
  ThrottledError,
  TimeoutError,
  TooLargeError,
  TransferringError,
} from './runtime/errors';
export type {
  PersistedState,
  RaftStorage,
  SnapshotData,
  StateMachine,
  StoredSnapshotBytes,
  Transport,
} from './runtime/interfaces';
export type {
  ProposeOptions,
  RaftConfigOverrides,
  RaftNodeEvents,
  RaftNodeLogger,
  RaftNodeOptions,
  RaftNodeStats,
  RaftNodeStatus,
} from './runtime/options';
export { RaftNode } from './runtime/raft-node';
export { mulberry32 } from './sim/prng';
export { replayCommand, runSimulation } from './sim/simulation';
export type {
  CreateRaft,
  SimulationOptions,
  SimulationResult,
  SimulationStats,
  Violation,
  ViolationKind,
} from './sim/types';
export type { DiskStats } from './storage/disk-stats';
export { DurableLog, type DurableLogOptions } from './storage/durable-log';
export {
  isStorageError,
  RecordTooLargeError,
  StorageClosedError,
  StorageCorruptionError,
  StorageError,
  type StorageErrorCode,
  StorageFailedError,
  StorageLockedError,
  StorageMisuseError,
} from './storage/errors';
export { type FsyncProbeOptions, type FsyncProbeResult, measureFsyncRate } from './storage/fsync-probe';
export * as storageLimits from './storage/limits';
export {
  peerCloseCodes,
  type TransportLogger,
  WsTransport,
  type WsTransportOptions,
  type WsTransportStats,
} from './transport';
