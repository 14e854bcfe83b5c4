/**
 * `@keel/bench`: the side-by-side load generator (Keel vs ZooKeeper vs etcd). The library
 * surface is what the tests and other tools reuse: the histogram, the closed-loop generator,
 * argument parsing, the drivers, cluster starters and the reports.
 */
export { type BenchOptions, type BenchRequest, benchDefaults, parseBenchArgs, usage } from './args';
export type { ClusterMember, ClusterOptions, ClusterStarter, RunningCluster } from './clusters/cluster';
export { startEtcd } from './clusters/etcd';
export { keelServerScript, startKeel } from './clusters/keel';
export { runningPids, stopAll } from './clusters/processes';
export { startZookeeper } from './clusters/zookeeper';
export {
  type FloorCpu,
  type FloorOptions,
  type FloorPhase,
  type FloorResult,
  floorMemberScript,
  runFloor,
} from './floor/floor-run';
export { type FloorShare, floorShares, type KeelAgainstFloor } from './floor/floor-share';
export {
  type ClosedLoopOptions,
  type ClosedLoopOutcome,
  type Operation,
  runClosedLoop,
} from './load/closed-loop';
export { startCpuMeter } from './load/cpu';
export {
  bucketIndexOf,
  bucketUpperBoundOf,
  type HistogramSnapshot,
  LatencyHistogram,
  subBucketsPerPowerOfTwo,
} from './load/histogram';
export { latencySummary, measuredResult, unmeasuredResult } from './load/summary';
export { checkGoals, checkP99Elsewhere, type GoalCheck } from './report/goals';
export { htmlReport, targetColors } from './report/html';
export { markdownReport } from './report/markdown';
export { measured, type PeerName, ratiosOf, type WorkloadRatios } from './report/ratios';
export { fileStamp, type WrittenReport, writeReports } from './report/write';
export * from './results';
export { clusterMembers, type Log, runBench, runWorkload } from './run';
export { driverFor } from './targets';
export type { DataWatch, HeldLock, Mutex, NodeMode, Session, TargetDriver } from './targets/session';
export { allWorkloads, selectWorkloads, workloadNames } from './workloads';
export { mixedOperationOf } from './workloads/mixed';
export type { ClosedLoopWorkload, CustomWorkload, LoadOptions, Workload } from './workloads/workload';
