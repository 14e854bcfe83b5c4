/**
 * A Keel cluster of 3 or 5 member processes on loopback, with a fault-injecting proxy on every
 * directed peer link: member i is told that member j lives at the proxy i->j, which forwards to
 * j's real peer port. Clients connect to the members directly.
 *
 * Faults: kill -9 and restart, SIGSTOP / SIGCONT, partitions (symmetric, one-way, isolating one
 * member), link delays, whole-cluster restart. `destroy()` always leaves no process behind.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LinkFault, LinkProxy } from './link-proxy';
import { MemberProcess, MemberStartError } from './member-process';
import { freePorts } from './ports';
import { type LeaderView, probeAdmin, probeProtocol } from './probe';
import { detectServerBinary, type ServerBinary } from './server-binary';

/** How to build a cluster. */
export interface ClusterOptions {
  /** Members: 3 or 5 (any count from 1 works). */
  readonly nodes: number;
  /** Directory for data and logs; default a fresh temp directory, removed by `destroy()`. */
  readonly baseDir?: string;
  /** Keep the data and logs at `destroy()` (default false; always kept when `baseDir` is given). */
  readonly keepFiles?: boolean;
  /** Defaults to {@link detectServerBinary}. */
  readonly binary?: ServerBinary;
  readonly clusterSecret?: string;
  /** The members' `--log-level` (default `info`; logs go to `<baseDir>/<id>/member.log`). */
  readonly logLevel?: string;
  /** Where the cluster reports what it does (default: nowhere). */
  readonly log?: (line: string) => void;
  /** The members' `--snapshot-every-entries` (default: the server's). */
  readonly snapshotEveryEntries?: number;
}

/** How a partition is made: `drop` black-holes bytes silently, `cut` resets and refuses connections. */
export type PartitionMode = 'drop' | 'cut';

/** Starts tried when a member finds its port taken. */
const startAttemptsMax = 3;

/** Longest wait for a leader after a fault is healed. */
export const leaderWaitMsDefault = 30_000;

const linkName = (from: string, to: string): string => `${from}->${to}`;

/** A running chaos cluster. */
export class ChaosCluster {
  private destroyed = false;

  private constructor(
    /** Member ids, `n1` ... `nN`. */
    readonly ids: readonly string[],
    private readonly members: ReadonlyMap<string, MemberProcess>,
    private readonly proxies: ReadonlyMap<string, LinkProxy>,
    private readonly adminPorts: ReadonlyMap<string, number>,
    /** Where data directories and member logs live. */
    readonly baseDir: string,
    private readonly removeBaseDir: boolean,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Starts every proxy and member; resolves once a leader is known. Tears down on failure. The
   * ports are reserved then released before the members bind them, so another process on the
   * machine may take one meanwhile: a start that fails on a port in use is retried afresh.
   */
  static async start(options: ClusterOptions): Promise<ChaosCluster> {
    if (!Number.isInteger(options.nodes) || options.nodes < 1) throw new RangeError('nodes must be a positive integer');
    const baseDir = options.baseDir ?? (await mkdtemp(join(tmpdir(), 'keel-chaos-')));
    for (let attempt = 1; ; attempt++) {
      try {
        return await ChaosCluster.startOnce({ ...options, baseDir }, options.baseDir === undefined);
      } catch (error) {
        const portTaken = error instanceof MemberStartError && error.logTail.includes('EADDRINUSE');
        if (!portTaken || attempt >= startAttemptsMax) throw error;
        options.log?.(`cluster: a port was taken meanwhile (${error.memberId}); starting again`);
        await rm(baseDir, { recursive: true, force: true });
      }
    }
  }

  private static async startOnce(
    options: ClusterOptions & { baseDir: string },
    ownsBaseDir: boolean,
  ): Promise<ChaosCluster> {
    const binary = options.binary ?? detectServerBinary();
    const baseDir = options.baseDir;
    const removeBaseDir = ownsBaseDir && options.keepFiles !== true;
    const log = options.log ?? (() => {});
    const ids = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`);
    const perMember = binary.adminPortFlag ? 3 : 2;
    const ports = await freePorts(ids.length * perMember);
    const portOf = (i: number, k: number): number => ports[i * perMember + k]!;
    const proxies = new Map<string, LinkProxy>();
    const members = new Map<string, MemberProcess>();
    const adminPorts = new Map<string, number>();
    const cluster = new ChaosCluster(ids, members, proxies, adminPorts, baseDir, removeBaseDir, log);
    try {
      for (const [i, from] of ids.entries()) {
        for (const [j, to] of ids.entries()) {
          if (i === j) continue;
          const proxy = new LinkProxy({ name: linkName(from, to), targetPort: portOf(j, 1) });
          await proxy.start();
          proxies.set(linkName(from, to), proxy);
        }
      }
      const secret = options.clusterSecret ?? 'keel-chaos-secret';
      for (const [i, id] of ids.entries()) {
        const dir = join(baseDir, id);
        await mkdir(dir, { recursive: true });
        const args = [
          '--id',
          id,
          '--data-dir',
          join(dir, 'data'),
          '--host',
          '127.0.0.1',
          '--client-port',
          String(portOf(i, 0)),
          '--peer-port',
          String(portOf(i, 1)),
          '--cluster-secret',
          secret,
        ];
        for (const peer of ids) if (peer !== id) args.push('--peer', `${peer}=${proxies.get(linkName(id, peer))!.url}`);
        if (binary.adminPortFlag) {
          adminPorts.set(id, portOf(i, 2));
          args.push('--admin-port', String(portOf(i, 2)));
        }
        if (binary.logLevelFlag) args.push('--log-level', options.logLevel ?? 'info');
        if (options.snapshotEveryEntries !== undefined) {
          args.push('--snapshot-every-entries', String(options.snapshotEveryEntries));
        }
        members.set(
          id,
          new MemberProcess({
            id,
            script: binary.script,
            args,
            clientPort: portOf(i, 0),
            logFile: join(dir, 'member.log'),
          }),
        );
      }
      await Promise.all([...members.values()].map((member) => member.start()));
      log(`cluster: ${ids.length} members up in ${baseDir}`);
      await cluster.waitForLeader();
      return cluster;
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
  }

  /** The member process `id`. */
  member(id: string): MemberProcess {
    const member = this.members.get(id);
    if (member === undefined) throw new RangeError(`no member ${id}`);
    return member;
  }

  /** Client URLs of every member, in id order. */
  get clientUrls(): string[] {
    return this.ids.map((id) => this.member(id).clientUrl);
  }

  /** The proxy carrying `from`'s connections to `to`. */
  proxy(from: string, to: string): LinkProxy {
    const proxy = this.proxies.get(linkName(from, to));
    if (proxy === undefined) throw new RangeError(`no link ${linkName(from, to)}`);
    return proxy;
  }

  // ---- process faults ------------------------------------------------------------------------

  /** `kill -9` of a member. */
  async kill(id: string): Promise<void> {
    this.log(`fault: kill -9 ${id}`);
    await this.member(id).kill();
  }

  /** Starts a stopped member again (same ports and data). */
  async startMember(id: string): Promise<void> {
    const member = this.member(id);
    if (member.state !== 'stopped') return;
    this.log(`heal: start ${id}`);
    await member.start();
  }

  /** `kill -9` then start again. */
  async restart(id: string): Promise<void> {
    await this.kill(id);
    await this.startMember(id);
  }

  /** SIGSTOP. */
  pause(id: string): void {
    this.log(`fault: SIGSTOP ${id}`);
    this.member(id).pause();
  }

  /** SIGCONT. */
  resume(id: string): void {
    if (this.member(id).state !== 'paused') return;
    this.log(`heal: SIGCONT ${id}`);
    this.member(id).resume();
  }

  /** Kills every member, then starts them all again: only what was durable survives. */
  async restartAll(): Promise<void> {
    this.log('fault: kill -9 every member, then restart the cluster');
    await Promise.all(this.ids.map((id) => this.member(id).kill()));
    await Promise.all(this.ids.map((id) => this.member(id).start()));
  }

  // ---- network faults ------------------------------------------------------------------------

  /** Sets the fault of the directed link `from` -> `to`. */
  setLink(from: string, to: string, fault: LinkFault): void {
    this.proxy(from, to).setFault(fault);
  }

  /** One-way partition: `from` can no longer reach `to` (`to` still reaches `from`). */
  blockLink(from: string, to: string, mode: PartitionMode = 'drop'): void {
    this.log(`fault: block ${linkName(from, to)} (${mode})`);
    this.setLink(from, to, mode === 'cut' ? { kind: 'cut' } : { kind: 'drop', direction: 'forward' });
  }

  /** Delays every byte on `from` -> `to`. */
  delayLink(from: string, to: string, delayMs: number): void {
    this.log(`fault: delay ${linkName(from, to)} by ${delayMs} ms`);
    this.setLink(from, to, { kind: 'delay', delayMs });
  }

  /** Members in different groups cannot reach each other; members in no group are cut from all. */
  partition(groups: readonly (readonly string[])[], mode: PartitionMode = 'drop'): void {
    this.log(`fault: partition ${groups.map((g) => `[${g.join(' ')}]`).join(' ')} (${mode})`);
    const groupOf = new Map<string, number>();
    groups.forEach((group, index) => {
      for (const id of group) groupOf.set(id, index);
    });
    for (const from of this.ids) {
      for (const to of this.ids) {
        if (from === to) continue;
        const a = groupOf.get(from);
        const same = a !== undefined && a === groupOf.get(to);
        this.setLink(
          from,
          to,
          same ? { kind: 'pass' } : mode === 'cut' ? { kind: 'cut' } : { kind: 'drop', direction: 'forward' },
        );
      }
    }
  }

  /** Cuts `id` off from every other member, both ways. */
  isolate(id: string, mode: PartitionMode = 'drop'): void {
    this.partition([[id], this.ids.filter((other) => other !== id)], mode);
  }

  /** Every link back to passing everything. */
  healNetwork(): void {
    this.log('heal: network');
    for (const proxy of this.proxies.values()) proxy.heal();
  }

  /** Heals the network, resumes paused members and starts stopped ones. */
  async healAll(): Promise<void> {
    this.healNetwork();
    for (const id of this.ids) this.resume(id);
    for (const id of this.ids) await this.startMember(id);
  }

  // ---- observation ---------------------------------------------------------------------------

  /** What each running member says about leadership (members that do not answer are left out). */
  async leaderViews(): Promise<LeaderView[]> {
    const views = await Promise.all(
      this.ids.map(async (id) => {
        const member = this.member(id);
        if (member.state !== 'running') return null;
        const adminPort = this.adminPorts.get(id);
        if (adminPort !== undefined) return probeAdmin(id, adminPort);
        return probeProtocol(id, member.clientUrl);
      }),
    );
    return views.filter((view): view is LeaderView => view !== null);
  }

  /** The member that says it leads, if exactly one running member does. */
  async leader(): Promise<string | null> {
    const leaders = (await this.leaderViews()).filter((view) => view.leads);
    return leaders.length === 1 ? leaders[0]!.memberId : null;
  }

  /** Polls until one member leads; throws after `timeoutMs` (a ceiling, not a measurement). */
  async waitForLeader(timeoutMs = leaderWaitMsDefault): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const leader = await this.leader();
      if (leader !== null) return leader;
      if (Date.now() > deadline) {
        const tails = this.ids.map((id) => `--- ${id} ---\n${this.member(id).logTail(8)}`).join('\n');
        throw new Error(`no leader within ${timeoutMs} ms\n${tails}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Kills every member, closes every proxy and (unless kept) removes the files. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await Promise.all([...this.members.values()].map((member) => member.kill()));
    await Promise.all([...this.proxies.values()].map((proxy) => proxy.close()));
    if (this.removeBaseDir) await rm(this.baseDir, { recursive: true, force: true });
    this.log('cluster: destroyed');
  }
}
