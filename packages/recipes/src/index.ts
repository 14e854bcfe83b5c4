export { Barrier, type WaitOptions } from './barriers/barrier';
export { DoubleBarrier } from './barriers/double-barrier';
export { NodeCache, type NodeCacheEvents } from './cache/node-cache';
export { TreeCache, type TreeCacheEvents, type TreeCacheOptions } from './cache/tree-cache';
export { type ConnectionStateListener, ConnectionTracker } from './connection/connection-tracker';
export {
  type ConnectionState,
  type ConnectionStateErrorPolicy,
  sessionErrorPolicy,
  standardErrorPolicy,
} from './connection/error-policy';
export * from './constants';
export { type DownInstancePolicy, DownInstances } from './discovery/down-instances';
export {
  type ProviderStrategy,
  RandomStrategy,
  RoundRobinStrategy,
  StickyStrategy,
} from './discovery/provider-strategies';
export { ServiceCache, type ServiceCacheEvents } from './discovery/service-cache';
export { ServiceDiscovery, type ServiceDiscoveryOptions } from './discovery/service-discovery';
export {
  buildUriSpec,
  type InstanceSerializer,
  jsonInstanceSerializer,
  type ServiceInstance,
  type ServiceInstanceInit,
  type ServiceType,
  serviceInstance,
} from './discovery/service-instance';
export { ServiceProvider, type ServiceProviderOptions } from './discovery/service-provider';
export {
  LeaderLatch,
  type LeaderLatchCloseMode,
  type LeaderLatchEvents,
  type LeaderLatchOptions,
} from './election/leader-latch';
export {
  LeaderSelector,
  type LeaderSelectorEvents,
  type LeaderSelectorOptions,
  type TakeLeadership,
} from './election/leader-selector';
export { noParticipant, type Participant } from './election/participant';
export { isRecipeError, RecipeError, type RecipeErrorCode } from './errors';
export type { NodeSnapshot } from './internal/client-ops';
export type { LifecycleState } from './internal/lifecycle';
export { Lease, type RevocationListener, type RevocationReason } from './locks/lease';
export { LockBase, type LockOptions, type TimedAcquireOptions } from './locks/lock-base';
export { type AcquireOptions, type LockDecision, type LockDriver, standardDriver } from './locks/lock-internals';
export { MultiLease, MultiLock } from './locks/multi-lock';
export { Mutex } from './locks/mutex';
export { ReadWriteLock } from './locks/read-write-lock';
export { Semaphore, type SemaphoreAcquireOptions, type SemaphoreOptions } from './locks/semaphore';
export { GroupMember } from './nodes/group-member';
export { PersistentNode, type PersistentNodeEvents, type PersistentNodeOptions } from './nodes/persistent-node';
export {
  type AtomicValue,
  DistributedAtomicLong,
  type DistributedAtomicLongOptions,
} from './shared/distributed-atomic-long';
export { DistributedQueue, jsonQueueSerializer, type QueueSerializer } from './shared/distributed-queue';
export {
  decodeCount,
  encodeCount,
  SharedCount,
  type SharedCountEvents,
  type VersionedValue,
} from './shared/shared-count';
