// Goal: Curator's protected mode: when the answer to a lock node's create is lost (the member
// applied it, the connection dropped before the reply arrived), the acquisition finds its node
// by the protection id instead of creating a second one, so no orphan node blocks the lock.
// Method: a real three-member cluster in-process; the client reaches a member through a TCP
// proxy that carries requests but holds back replies, then resets the connection once the
// member has created the node; an observer client watches the lock directory.
import type { KeelClient } from '@keel/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mutex } from '../src/index';
import { client, InProcessCluster, TcpProxy, waitFor } from './harness';

describe('protected create', () => {
  let cluster: InProcessCluster;
  let observer: KeelClient;

  beforeAll(async () => {
    cluster = await InProcessCluster.start(3);
    observer = await client(cluster.urls);
  });

  afterAll(async () => {
    await observer.close();
    await cluster.stop();
  });

  it('a create whose answer was lost is found, not orphaned', async () => {
    const proxy = await TcpProxy.start(cluster.urls[0] as string);
    const subject = await client(proxy.url, { sessionTimeoutMs: 3_000 });
    await observer.create('/protected', '');

    proxy.holdReplies();
    const acquiring = new Mutex(subject, '/protected/lock').acquire();
    let created: string[] = [];
    await waitFor('the member to create the node', async () => {
      created = await observer.children('/protected/lock', { linearizable: true }).catch(() => [] as string[]);
      return created.length === 1;
    });
    expect(created[0]).toMatch(/^_c_[0-9a-f-]{36}-lock-\d{10}$/);
    proxy.cut();
    proxy.restore();
    const lease = await acquiring;
    expect(lease.path).toBe(`/protected/lock/${created[0]}`);
    expect(await observer.children('/protected/lock', { linearizable: true })).toEqual(created);
    await lease.release();
    expect(await observer.exists(lease.path, { linearizable: true })).toBeNull();
    await subject.close();
    await proxy.stop();
  });
});
