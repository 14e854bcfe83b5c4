/** A fixed benchmark run for the report tests: made-up but plausible figures, never measured. */
import type { BenchRun, LatencySummary, TargetName, WorkloadResult } from '../src/results';

function latency(p50Ms: number, p99Ms: number, p999Ms: number): LatencySummary {
  return { count: 1000, p50Ms, p99Ms, p999Ms, maxMs: p999Ms * 2, meanMs: p50Ms * 1.2 };
}

function ok(
  workload: string,
  target: TargetName,
  opsPerSec: number,
  p99Ms: number,
  more: Partial<WorkloadResult> = {},
): WorkloadResult {
  return {
    workload,
    target,
    status: 'ok',
    opsPerSec,
    operations: opsPerSec * 10,
    errors: 0,
    elapsedMs: 10_000,
    latency: latency(p99Ms / 4, p99Ms, p99Ms * 2),
    generatorCpu: 0.4,
    ...more,
  };
}

export const sampleRun: BenchRun = {
  info: {
    startedAt: '2026-11-26T01:00:00.000Z',
    finishedAt: '2026-11-26T01:04:00.000Z',
    quick: true,
    durationSec: 3,
    warmupSec: 1,
    inflight: 64,
    clients: 8,
    generators: 1,
    order: 'interleaved',
    targets: ['keel', 'zookeeper', 'etcd'],
    workloads: ['create', 'mixed', 'lock-2', 'failover'],
    machine: {
      hostname: 'test',
      cpus: 2,
      cpuModel: 'Test CPU',
      memoryGiB: 8,
      node: 'v20.0.0',
      platform: 'linux',
      loadAverage: [1, 1, 1],
    },
    versions: { keel: '0.0.0', zookeeper: '3.8.0', etcd: '3.4.23' },
  },
  results: [
    ok('create', 'keel', 12_000, 20),
    ok('create', 'zookeeper', 5000, 40),
    ok('create', 'etcd', 10_000, 25),
    ok('mixed', 'keel', 9000, 30, { generatorCpu: 0.95 }),
    ok('mixed', 'zookeeper', 3000, 20),
    ok('mixed', 'etcd', 4000, 50),
    ok('lock-2', 'keel', 300, 10, { generatorCpu: 0.3, generatorLoopBusy: 0.97 }),
    ok('lock-2', 'zookeeper', 200, 12),
    {
      workload: 'lock-2',
      target: 'etcd',
      status: 'failed',
      opsPerSec: 0,
      operations: 0,
      errors: 0,
      elapsedMs: 0,
      latency: latency(0, 0, 0),
      generatorCpu: 0,
      error: 'lease grant failed | oops',
    },
    ok('watch-fanout', 'keel', 40_000, 5, {
      operations: 1000,
      extra: {
        p50FromSendMs: 3,
        p99FromSendMs: 9,
        eventsBeforeAck: 250,
        busyBefore: 0.04,
        quietWaitMs: 500,
        loadAverage1m: 3.25,
      },
    }),
    ok('failover', 'keel', 500, 800, { extra: { unavailableMs: 750 } }),
    ok('failover', 'zookeeper', 400, 900, { extra: { unavailableMs: 1200 } }),
  ],
};
