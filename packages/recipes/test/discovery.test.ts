// Goal: service discovery as Curator users know it: register, update, query names and
// instances, provider strategies and down-instance notes; and an instance vanishes from a
// watch-driven ServiceCache once its process is killed (within about the session timeout) and
// reappears when it registers again.
// Method: a real three-member cluster in-process; instances registered in-process and by a
// worker process (test/workers/service-worker.mjs, built client and recipes) killed with -9.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { KeelClient } from '@keel/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RandomStrategy,
  RoundRobinStrategy,
  ServiceDiscovery,
  type ServiceInstance,
  StickyStrategy,
  serviceInstance,
} from '../src/index';
import { client, InProcessCluster, waitFor } from './harness';

const sessionTimeoutMs = 1_500;
const worker = join(import.meta.dirname, 'workers', 'service-worker.mjs');

function startWorker(urls: string[], id: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [worker, urls.join(','), '/services', 'api', id, String(sessionTimeoutMs)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('registered')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`service worker exited ${code}: ${err}`)));
  });
}

describe('service discovery', () => {
  let cluster: InProcessCluster;
  let clientA: KeelClient;
  let clientB: KeelClient;

  beforeAll(async () => {
    cluster = await InProcessCluster.start(3);
    clientA = await client(cluster.urls[0] as string);
    clientB = await client(cluster.urls[1] as string);
  });

  afterAll(async () => {
    await clientA.close();
    await clientB.close();
    await cluster.stop();
  });

  it('register, update, query, unregister; providers pick by strategy and skip down instances', async () => {
    const discovery = new ServiceDiscovery<{ zone: string }>(clientA, { basePath: '/registry' });
    await discovery.start();
    const one = serviceInstance({ name: 'db', id: 'one', address: '10.0.0.1', port: 5432, payload: { zone: 'a' } });
    const two = serviceInstance({ name: 'db', id: 'two', address: '10.0.0.2', port: 5432, payload: { zone: 'b' } });
    await discovery.registerService(one);
    await discovery.registerService(two);
    await discovery.registerService(serviceInstance({ name: 'cache', id: 'c1', serviceType: 'PERMANENT' }));

    const reader = new ServiceDiscovery<{ zone: string }>(clientB, { basePath: '/registry' });
    await reader.start();
    expect((await reader.queryForNames()).sort()).toEqual(['cache', 'db']);
    expect((await reader.queryForInstances('db')).map((instance) => instance.id)).toEqual(['one', 'two']);
    expect(await reader.queryForInstance('db', 'one')).toEqual(one);

    const roundRobin = reader.serviceProvider('db', { strategy: new RoundRobinStrategy() });
    await roundRobin.start();
    expect([1, 2, 3, 4].map(() => roundRobin.getInstance()?.id)).toEqual(['one', 'two', 'one', 'two']);
    const sticky = reader.serviceProvider('db', { strategy: new StickyStrategy(new RandomStrategy(() => 0.99)) });
    await sticky.start();
    expect([1, 2, 3].map(() => sticky.getInstance()?.id)).toEqual(['two', 'two', 'two']);
    // Two noted errors put an instance down (Curator's default threshold).
    sticky.noteError(two);
    expect(sticky.getInstance()?.id).toBe('two');
    sticky.noteError(two);
    expect(sticky.getAllInstances().map((instance) => instance.id)).toEqual(['one']);
    expect(sticky.getInstance()?.id).toBe('one');

    const cache = reader.serviceCache('db');
    await cache.start();
    const moved: ServiceInstance<{ zone: string }> = { ...one, payload: { zone: 'c' } };
    await discovery.updateService(moved);
    await waitFor('the update in the cache', () =>
      cache.getInstances().some((instance) => instance.id === 'one' && instance.payload?.zone === 'c'),
    );
    await discovery.unregisterService(two);
    await waitFor('the removal in the cache', () => cache.getInstances().length === 1);
    await clientB.sync('/registry');
    expect(await reader.queryForInstance('db', 'two')).toBeNull();

    await reader.close();
    await discovery.close();
    // DYNAMIC instances go with close; PERMANENT ones stay.
    expect(await clientB.exists('/registry/db/one', { linearizable: true })).toBeNull();
    expect(await clientB.exists('/registry/cache/c1', { linearizable: true })).not.toBeNull();
  });

  it('a killed instance vanishes from the cache, and reappears when it registers again', async () => {
    const discovery = new ServiceDiscovery(clientA, { basePath: '/services' });
    await discovery.start();
    const cache = discovery.serviceCache('api');
    await cache.start();
    const ids = () => cache.getInstances().map((instance) => instance.id);

    const first = await startWorker(cluster.urls, 'api-1');
    await waitFor('the instance in the cache', () => ids().includes('api-1'));
    const killedAt = Date.now();
    first.kill('SIGKILL');
    // A ceiling, not a measurement: the members expire the session after its timeout.
    await waitFor('the instance to vanish', () => !ids().includes('api-1'), sessionTimeoutMs * 4);
    console.log(
      `service instance vanished ${Date.now() - killedAt} ms after kill -9 (session timeout ${sessionTimeoutMs} ms)`,
    );

    const second = await startWorker(cluster.urls, 'api-1');
    await waitFor('the instance to reappear', () => ids().includes('api-1'));
    second.kill('SIGKILL');
    await discovery.close();
  });
});
