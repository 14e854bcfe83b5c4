/**
 * The e2e harness around `ChaosCluster` (@keel/chaos): a three-member cluster of `keel-server`
 * processes, clients pinned to chosen members, and polling with a generous ceiling (a bound on
 * waiting, never a measured threshold).
 */
import { ChaosCluster, probeAdmin } from '@keel/chaos';
import { type ConnectOptions, connect, type KeelClient } from '@keel/client';

/** The cluster secret every e2e cluster (and a member that joins it) uses. */
export const clusterSecret = 'keel-e2e-secret';

/** Starts three member processes and waits for a leader. */
export function startCluster(): Promise<ChaosCluster> {
  return ChaosCluster.start({ nodes: 3, clusterSecret, logLevel: 'info' });
}

/** Where a test reaches one member: clients at `clientUrl`, leadership probes at `adminPort`. */
export interface MemberAddress {
  readonly id: string;
  readonly clientUrl: string;
  readonly adminPort: number;
}

/** The addresses of a cluster's members, in id order. */
export function addressesOf(cluster: ChaosCluster): MemberAddress[] {
  return cluster.ids.map((id) => ({
    id,
    clientUrl: cluster.member(id).clientUrl,
    adminPort: Number(memberFlag(cluster, id, 'admin-port')),
  }));
}

/** Who leads and who follows, as the members say. */
export interface Roles {
  readonly leader: string;
  readonly followers: readonly [string, string];
}

/** The leader and the two followers of a three-member cluster (polls until one member leads). */
export async function rolesOf(members: readonly MemberAddress[]): Promise<Roles> {
  let leader: string | null = null;
  await waitUntil('one member leads', async () => {
    const views = await Promise.all(members.map((member) => probeAdmin(member.id, member.adminPort)));
    const leaders = views.filter((view) => view?.leads === true);
    leader = leaders.length === 1 ? leaders[0]!.memberId : null;
    return leader !== null;
  });
  const followers = members.map((member) => member.id).filter((id) => id !== leader);
  if (leader === null || followers.length !== 2)
    throw new Error(`expected a leader and two followers, got ${followers}`);
  return { leader, followers: [followers[0]!, followers[1]!] };
}

/** The clients a test opened, closed together at its end. */
export class Clients {
  private readonly open: KeelClient[] = [];

  constructor(private readonly members: readonly MemberAddress[]) {}

  /** A client that may only ever talk to the members `ids` (all of them by default). */
  connect(
    ids: readonly string[] = this.members.map((m) => m.id),
    options: Partial<ConnectOptions> = {},
  ): Promise<KeelClient> {
    return this.connectUrls(
      ids.map((id) => this.urlOf(id)),
      options,
    );
  }

  /** The client URL of member `id`. */
  urlOf(id: string): string {
    const member = this.members.find((m) => m.id === id);
    if (member === undefined) throw new RangeError(`no member ${id}`);
    return member.clientUrl;
  }

  /** A client of members given by URL (say one the cluster did not start). */
  async connectUrls(urls: readonly string[], options: Partial<ConnectOptions> = {}): Promise<KeelClient> {
    const client = await connect({
      servers: urls,
      connectTimeoutMs: 30_000,
      requestTimeoutMs: 30_000,
      backoffMsMin: 20,
      backoffMsMax: 250,
      ...options,
    });
    // A watch callback that throws is reported here; without a listener it would be rethrown.
    client.on('error', () => {});
    this.open.push(client);
    return client;
  }

  /** A client on one member only. */
  on(id: string, options: Partial<ConnectOptions> = {}): Promise<KeelClient> {
    return this.connect([id], options);
  }

  /**
   * A client that may use every member but first connected to `member` (the client picks its
   * first member at random, so this connects until it picked that one).
   */
  async startingOn(member: string, options: Partial<ConnectOptions> = {}): Promise<KeelClient> {
    for (;;) {
      const client = await this.connect(undefined, options);
      if (client.memberId === member) return client;
      this.open.splice(this.open.indexOf(client), 1);
      await client.close();
    }
  }

  /** Closes every client (a client whose members are gone is abandoned after a short wait). */
  async closeAll(): Promise<void> {
    const clients = this.open.splice(0);
    await Promise.all(clients.map((client) => Promise.race([client.close().catch(() => {}), sleep(2_000)])));
  }
}

/** Polls `check` until it returns true; throws after `timeoutMs` (a ceiling on waiting). */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The value of `--<flag>` in a member's command line (the cluster exposes no accessor for it). */
export function memberFlag(cluster: ChaosCluster, id: string, flag: string): string {
  const args = cluster.member(id).spec.args;
  const at = args.indexOf(`--${flag}`);
  const value = at < 0 ? undefined : args[at + 1];
  if (value === undefined) throw new Error(`member ${id} was started without --${flag}`);
  return value;
}
