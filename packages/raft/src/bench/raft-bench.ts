/**
 * Raft benchmark: three RaftNodes on loopback (real DurableLogs in a temp directory, real
 * WsTransports) under a closed-loop load of N proposals in flight, for 100-byte and 1 KiB
 * entries. Prints committed entries per second, p50/p99 commit latency and entries per fsync,
 * next to the machine's raw fsync rate and loopback WebSocket round-trip time.
 *
 * A benchmark, not a test: it asserts nothing and is never run by CI.
 *
 * Usage: node dist/bench/raft-bench.js [--duration-ms 3000] [--sizes 100,1024] [--inflight 1,64,1024]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WebSocket, WebSocketServer } from 'ws';
import type { Entry } from '../core/types';
import { type LocalMember, startLocalCluster, waitForLeader } from '../demo/local-cluster';
import type { StateMachine } from '../runtime/interfaces';
import type { DiskStats } from '../storage/disk-stats';
import { measureFsyncRate } from '../storage/fsync-probe';

interface BenchOptions {
  readonly durationMs: number;
  readonly sizes: number[];
  readonly inflight: number[];
}

interface RunResult {
  readonly bytes: number;
  readonly inflight: number;
  readonly committed: number;
  readonly failed: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Entries per segment datasync, summed over the three members' logs. */
  readonly entriesPerFsync: number;
  /** Entries per `storage.sync()` call of the leader's runtime (its group-commit batch size). */
  readonly entriesPerSync: number;
  /** Messages the leader sent per entry it appended (both followers together). */
  readonly messagesPerEntry: number;
}

/** Counts applied entries; the cheapest deterministic state machine, so Raft itself is measured. */
class CountingStateMachine implements StateMachine<number> {
  private count = 0;
  apply(_entry: Entry): number {
    return ++this.count;
  }
  snapshot(): Uint8Array {
    const data = new Uint8Array(8);
    new DataView(data.buffer).setFloat64(0, this.count);
    return data;
  }
  restore(data: Uint8Array): void {
    this.count = new DataView(data.buffer, data.byteOffset, data.byteLength).getFloat64(0);
  }
}

function parseOptions(argv: readonly string[]): BenchOptions {
  const value = (name: string): string | undefined => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const list = (name: string, fallback: number[]): number[] => {
    const raw = value(name);
    return raw === undefined ? fallback : raw.split(',').map((part) => Number(part));
  };
  return {
    durationMs: Number(value('duration-ms') ?? 3_000),
    sizes: list('sizes', [100, 1024]),
    inflight: list('inflight', [1, 64, 1024]),
  };
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Sequential round trips of a 64-byte binary message to an echo server on 127.0.0.1. */
async function measureLoopbackRtt(roundTrips: number): Promise<{ p50Ms: number; meanMs: number }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (socket) => socket.on('message', (data) => socket.send(data as Buffer)));
  const { port } = server.address() as AddressInfo;
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
  const message = Buffer.alloc(64, 1);
  const samples = new Float64Array(roundTrips);
  for (let i = 0; i < roundTrips; i++) {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      client.once('message', () => resolve());
      client.send(message);
    });
    samples[i] = performance.now() - started;
  }
  client.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const total = samples.reduce((sum, sample) => sum + sample, 0);
  samples.sort();
  return { p50Ms: percentile(samples, 0.5), meanMs: total / roundTrips };
}

function diskTotals(members: Iterable<LocalMember<number>>): { records: number; datasyncs: number } {
  let records = 0;
  let datasyncs = 0;
  for (const member of members) {
    const stats: DiskStats = member.storage.stats();
    records += stats.recordsWritten;
    datasyncs += stats.segmentDatasyncs;
  }
  return { records, datasyncs };
}

/** Closed loop: `inflight` workers each keep one proposal outstanding until the deadline. */
async function runLoad(
  members: Map<string, LocalMember<number>>,
  bytes: number,
  inflight: number,
  durationMs: number,
): Promise<RunResult> {
  const data = new Uint8Array(bytes).fill(0x61);
  let leader = await waitForLeader(members.values(), 30_000);
  const latencies: number[] = [];
  let failed = 0;
  const diskBefore = diskTotals(members.values());
  const leaderBefore = leader.node.status().stats;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      try {
        await leader.node.propose(data);
        latencies.push(performance.now() - sent);
      } catch {
        failed++;
        leader = await waitForLeader(members.values(), 30_000);
      }
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  const elapsedMs = performance.now() - started;
  const diskAfter = diskTotals(members.values());
  const leaderAfter = leader.node.status().stats;
  const sorted = Float64Array.from(latencies).sort();
  const datasyncs = diskAfter.datasyncs - diskBefore.datasyncs;
  const syncs = leaderAfter.syncs - leaderBefore.syncs;
  return {
    bytes,
    inflight,
    committed: latencies.length,
    failed,
    perSecond: (latencies.length / elapsedMs) * 1000,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    entriesPerFsync: datasyncs === 0 ? 0 : (diskAfter.records - diskBefore.records) / datasyncs,
    entriesPerSync: syncs === 0 ? 0 : (leaderAfter.entriesPersisted - leaderBefore.entriesPersisted) / syncs,
    messagesPerEntry:
      leaderAfter.entriesPersisted === leaderBefore.entriesPersisted
        ? 0
        : (leaderAfter.messagesSent - leaderBefore.messagesSent) /
          (leaderAfter.entriesPersisted - leaderBefore.entriesPersisted),
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const baseDir = await mkdtemp(join(tmpdir(), 'keel-raft-bench-'));
  try {
    print(`keel raft benchmark: 3 members on 127.0.0.1, logs in ${baseDir}`);
    const single = await measureFsyncRate(baseDir, { records: 2_000, batch: 1, bytes: 100 });
    print(`machine: raw fdatasync rate ${single.fsyncsPerSecond.toFixed(0)}/s (one 100-byte record per fdatasync)`);
    const rtt = await measureLoopbackRtt(2_000);
    print(`machine: loopback WebSocket round trip p50 ${rtt.p50Ms.toFixed(3)} ms, mean ${rtt.meanMs.toFixed(3)} ms`);

    const members = await startLocalCluster<number>({
      ids: ['n1', 'n2', 'n3'],
      baseDir,
      clusterSecret: 'keel-bench-secret',
      createStateMachine: () => new CountingStateMachine(),
      maxPendingRequests: 65_536,
    });
    try {
      const leader = await waitForLeader(members.values(), 30_000);
      print(`leader: ${leader.id}; ${options.durationMs} ms per run\n`);
      print(
        'bytes  in-flight  committed/s   p50 ms   p99 ms  entries/fsync  entries/sync(leader)  msgs/entry(leader)  failed',
      );
      for (const bytes of options.sizes) {
        // Warm-up: JIT, connections and segment files, not counted.
        await runLoad(members, bytes, 64, Math.min(500, options.durationMs));
        for (const inflight of options.inflight) {
          const r = await runLoad(members, bytes, inflight, options.durationMs);
          print(
            [
              String(r.bytes).padStart(5),
              String(r.inflight).padStart(10),
              r.perSecond.toFixed(0).padStart(12),
              r.p50Ms.toFixed(2).padStart(8),
              r.p99Ms.toFixed(2).padStart(8),
              r.entriesPerFsync.toFixed(1).padStart(14),
              r.entriesPerSync.toFixed(1).padStart(21),
              r.messagesPerEntry.toFixed(2).padStart(19),
              String(r.failed).padStart(7),
            ].join(' '),
          );
        }
      }
    } finally {
      await Promise.allSettled([...members.values()].map((member) => member.node.stop()));
    }
  } finally {
    await rm(baseDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `raft-bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
