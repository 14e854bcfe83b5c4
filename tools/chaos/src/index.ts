export { ChaosCluster, type ClusterOptions, leaderWaitMsDefault, type PartitionMode } from './cluster/cluster';
export {
  type LinkDirection,
  type LinkFault,
  LinkProxy,
  type LinkProxyOptions,
  type LinkProxyStats,
} from './cluster/link-proxy';
export { MemberProcess, type MemberSpec, MemberStartError, type MemberState } from './cluster/member-process';
export { freePorts, loopbackHost } from './cluster/ports';
export { type LeaderView, probeAdmin, probeProtocol } from './cluster/probe';
export { detectServerBinary, keelServerScript, type ServerBinary, ServerBinaryError } from './cluster/server-binary';
export { onInterrupt, trackedChildren } from './cluster/teardown';
export { type FaultEvent, type RunFaultsOptions, runFaults } from './faults/injector';
export {
  allFaultKinds,
  describeFault,
  type FaultKind,
  type FaultTarget,
  faultKinds,
  type PartitionShape,
  type PlannedFault,
  parseFaultKinds,
  planFaults,
  type ScheduledFault,
  type ScheduleOptions,
} from './faults/schedule';
export {
  type CasOperation,
  formatHistory,
  HistoryParseError,
  type Operation,
  type Outcome,
  parseHistory,
  parseOperation,
  type ReadOperation,
  type Value,
  type WriteOperation,
} from './history';
export {
  CHECK_STEPS_MAX_DEFAULT,
  type CheckOptions,
  type CheckResult,
  checkHistory,
  checkKey,
  type Explanation,
  type KeyResult,
  type Verdict,
} from './linearizability';
export {
  type ChaosOptions,
  type ChaosReport,
  clientsDefault,
  replayCommand,
  runChaos,
  summaryLine,
} from './run/run-chaos';
export { createWorkload } from './workloads/create';
export { checkWitness, type WitnessEvent } from './workloads/lock';
export type { Workload, WorkloadContext, WorkloadName, WorkloadResult } from './workloads/workload';
export { workloadNames } from './workloads/workload';
