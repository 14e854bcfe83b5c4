import { join } from 'node:path';
import { KeelServer } from '../server/keel-server';
import type { KeelServerOptions } from '../server/options';
import { waitFor } from './wait-for';

/** Options of a test member: anything of {@link KeelServerOptions}, its data directory required. */
export type TestMemberOptions = Partial<KeelServerOptions> & { readonly dataDir: string };

/**
 * What a test member gets unless told otherwise: loopback with an ephemeral client port and
 * 10 ms ticks, so elections and session checks take moments.
 */
function memberDefaults(id: string): Pick<KeelServerOptions, 'id' | 'clientListen' | 'clusterSecret' | 'tickMs'> {
  return { id, clientListen: { host: '127.0.0.1', port: 0 }, clusterSecret: 'keel-test', tickMs: 10 };
}

/** Starts a single-member cluster (id `m1` unless given) and waits until it leads. */
export async function startMember(options: TestMemberOptions): Promise<KeelServer> {
  const server = await KeelServer.start({ ...memberDefaults('m1'), ...options });
  await waitFor('the member to lead', () => server.node.isLeader(), 30_000);
  return server;
}

/**
 * Starts one in-process member per id, each with its data directory `<dataDir>/<id>`, tells
 * every member the others' peer addresses, and waits until they agree on a leader. More than
 * one id bootstraps them as voters of one cluster.
 */
export async function startMembers(
  dataDir: string,
  ids: readonly string[],
  overrides: Partial<KeelServerOptions> = {},
): Promise<KeelServer[]> {
  const servers: KeelServer[] = [];
  for (const id of ids) {
    servers.push(
      await KeelServer.start({
        ...memberDefaults(id),
        dataDir: join(dataDir, id),
        ...(ids.length > 1 ? { bootstrap: { voters: [...ids], learners: [] } } : {}),
        ...overrides,
      }),
    );
  }
  if (servers.length > 1) {
    const addresses = new Map(servers.map((server) => [server.id, server.peerUrl] as const));
    for (const server of servers) server.node.setPeerAddresses(addresses);
  }
  await waitForLeader(servers);
  return servers;
}

/** Waits until one of `servers` leads and every one of them knows it; returns it. */
export async function waitForLeader(servers: readonly KeelServer[]): Promise<KeelServer> {
  let leader: KeelServer | undefined;
  await waitFor(
    'one leader every member agrees on',
    () => {
      leader = servers.find((server) => server.node.isLeader());
      return leader !== undefined && servers.every((server) => server.node.leaderInfo().leader === leader?.id);
    },
    60_000,
  );
  if (leader === undefined) throw new Error('no leader');
  return leader;
}
