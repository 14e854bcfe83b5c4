// Goal: a whole-cluster crash loses no acknowledged write: every member is killed with kill -9
// at once and started again, and every write acknowledged before is read back.
// Method: a three-member cluster of keel-server processes; a few hundred creates and sets,
// pipelined from clients on different members, each acknowledgement recorded; then
// `restartAll()` (kill -9 of all three, restart on the same data directories); a fresh client
// reads every key back with linearizable reads.
import type { ChaosCluster } from '@keel/chaos';
import { type KeelClient, toText } from '@keel/client';
import { describe, expect, it } from 'vitest';
import type { Clients } from './support/cluster';
import { useOwnCluster } from './support/own-cluster';

let cluster: ChaosCluster;
let clients: Clients;

useOwnCluster((own) => {
  ({ cluster, clients } = own);
});

const keys = 300;
const batch = 50;

describe('full cluster restart', () => {
  it('keeps every acknowledged write after kill -9 of every member', async () => {
    const writers = await Promise.all(cluster.ids.map((id) => clients.on(id)));
    await writers[0]!.create('/durable');
    const acked = new Map<string, { value: string; version: number }>();
    for (let start = 0; start < keys; start += batch) {
      await Promise.all(
        Array.from({ length: batch }, async (_, offset) => {
          const i = start + offset;
          const writer: KeelClient = writers[i % writers.length]!;
          const path = `/durable/k-${String(i).padStart(4, '0')}`;
          await writer.create(path, `created-${i}`);
          acked.set(path, { value: `created-${i}`, version: 0 });
          if (i % 3 === 0) {
            const stat = await writer.set(path, `updated-${i}`);
            acked.set(path, { value: `updated-${i}`, version: stat.version });
          }
        }),
      );
    }
    expect(acked.size).toBe(keys);
    await clients.closeAll();

    await cluster.restartAll();
    await cluster.waitForLeader();

    const reader = await clients.connect();
    const children = await reader.children('/durable', { linearizable: true });
    expect(children.length).toBe(keys);
    // Pipelined: each read is linearizable on its own, so they need not wait for each other.
    const found = await Promise.all(
      [...acked.keys()].map(async (path) => {
        const { data, stat } = await reader.get(path, { linearizable: true });
        return [path, { value: toText(data), version: stat.version }] as const;
      }),
    );
    expect(new Map(found)).toEqual(acked);
  });
});
