/**
 * Resolves layers of raw settings into one checked configuration: for each setting the first
 * layer that gives it wins (flags > environment > file), then defaults, then the rules that
 * relate settings to each other. Pure: no files, no environment, no clock.
 */
import { pathBytesMax } from '@keel/protocol';
import type { LogLevel } from '../logging/logger';
import type { ListenAddress } from '../server/options';
import { shown } from './config-errors';
import { type SettingKey, type SettingValues, settingDefaults, settingSpecs, specOf } from './config-schema';
import type { ConfigLayer } from './config-sources';

/**
 * Room a request needs beyond its data: the longest path plus framing (the rule
 * `KeelServer.start` enforces; checked here so it is reported with the other problems).
 */
export const requestOverheadBytes = pathBytesMax + 1024;

/** Limits of design §6 an operator may tune. */
export interface KeelLimits {
  /** Largest node data, in bytes. */
  readonly dataBytesMax: number;
  /** Largest client request frame, in bytes. */
  readonly requestBytesMax: number;
  /** Most requests one connection may have waiting for answers. */
  readonly pendingRequestsMax: number;
  /** Most client connections from one IP address to this member. */
  readonly sessionsPerAddressMax: number;
  /** Most bytes of request frames one connection may have waiting (at least `requestBytesMax`). */
  readonly pendingRequestBytesMax: number;
  /** Most bytes queued for one slow client before its connection is closed. */
  readonly sendBufferBytesMax: number;
  /** Most watches one connection may hold. */
  readonly watchesPerConnectionMax: number;
  /** Revisions of recent changes kept for watch resumption. */
  readonly changeWindowRevisions: number;
  /** Most change events the window keeps. */
  readonly changeWindowEventsMax: number;
}

/** A member's timers, in milliseconds (the session-derived ones already computed). */
export interface KeelTimers {
  /** How often the leader looks for expired TTL nodes. */
  readonly ttlCheckMs: number;
  /** How often this member reports the sessions it serves to the leader. */
  readonly sessionReportMs: number;
  /** How long this member keeps its clients without a leader. */
  readonly leaderlessCloseMs: number;
  /** How long a write waits to be applied before its client gets ConnectionLoss. */
  readonly writeTimeoutMs: number;
}

/** Raft tuning of a member. */
export interface KeelRaftTuning {
  /** Length of one tick, in milliseconds. */
  readonly tickMs: number;
  /** Base election timeout, in ticks. */
  readonly electionTicks: number;
  /** Leader heartbeat interval, in ticks. */
  readonly heartbeatTicks: number;
  /** Entries applied between snapshots (0: never). */
  readonly snapshotEveryEntries: number;
}

/** A member's checked configuration. */
export interface KeelConfig {
  readonly id: string;
  readonly dataDir: string;
  readonly clientListen: ListenAddress;
  /** URL clients are told to use for this member; null: the address the endpoint is bound to. */
  readonly clientUrl: string | null;
  readonly peerListen: ListenAddress;
  /** URL other members use for this member; null: not configured (they know it from their own lists). */
  readonly peerUrl: string | null;
  /** Peer URLs of the other initial members, by id (this member is never in it). */
  readonly peers: Readonly<Record<string, string>>;
  /** Start without bootstrapping a new cluster; wait for the leader to add this member. */
  readonly join: boolean;
  readonly clusterSecret: string;
  /** The secret was generated because a single member needs none from the operator. */
  readonly clusterSecretGenerated: boolean;
  readonly sessionTimeoutMsMin: number;
  readonly sessionTimeoutMsMax: number;
  /** Where the admin HTTP endpoint listens; null: turned off. */
  readonly admin: ListenAddress | null;
  readonly logLevel: LogLevel;
  readonly limits: KeelLimits;
  readonly timers: KeelTimers;
  readonly raft: KeelRaftTuning;
}

/** A usable configuration, or every problem found. */
export type ResolveResult =
  | { readonly ok: true; readonly config: KeelConfig }
  | { readonly ok: false; readonly problems: readonly string[] };

/** What resolution needs from outside. */
export interface ResolveContext {
  /** Makes a secret for a single member that was given none. */
  readonly generateSecret: () => string;
}

/** Resolves `layers`, highest precedence first (flags, environment, file). */
export function resolveConfig(layers: readonly ConfigLayer[], context: ResolveContext): ResolveResult {
  const problems: string[] = layers.flatMap((layer) => layer.problems);
  const given: Partial<SettingValues> = {};
  const sources = new Map<SettingKey, string>();
  for (const spec of settingSpecs) {
    const found = layers.map((layer) => layer.values.get(spec.key)).find((value) => value !== undefined);
    if (found === undefined) continue;
    const parsed = spec.parse(found.raw, found.fromText);
    if (!parsed.ok) {
      problems.push(`${found.source} must be ${parsed.expected}, got ${shown(found.raw)}`);
      continue;
    }
    (given as Record<SettingKey, unknown>)[spec.key] = parsed.value;
    sources.set(spec.key, found.source);
  }
  const sourceOf = (key: SettingKey): string => sources.get(key) ?? `the default of --${specOf(key).flag}`;

  const id = given.id ?? settingDefaults.id;
  const host = given.host ?? settingDefaults.host;
  const listed = given.peers ?? settingDefaults.peers;
  const peers: Record<string, string> = {};
  for (const [member, url] of Object.entries(listed)) if (member !== id) peers[member] = url;
  const hasOthers = Object.keys(peers).length > 0;

  const listedSelf = listed[id];
  if (given.peerUrl !== undefined && listedSelf !== undefined && given.peerUrl !== listedSelf) {
    problems.push(
      `${sourceOf('peerUrl')} is ${given.peerUrl} but ${sourceOf('peers')} lists this member (${id}) at ${listedSelf}; make them equal or give one`,
    );
  }
  const join = given.join ?? settingDefaults.join;
  if (join && !hasOthers) {
    problems.push(`${sourceOf('join')} needs the members of the cluster to join: add --peer id=url for each`);
  }
  let clusterSecret = given.clusterSecret;
  let clusterSecretGenerated = false;
  if (clusterSecret === undefined) {
    if (hasOthers) {
      problems.push(
        'a cluster secret is required when there are other members: set KEEL_CLUSTER_SECRET (or --cluster-secret, or clusterSecret in the config file) to the same value on every member',
      );
    } else {
      clusterSecret = context.generateSecret();
      clusterSecretGenerated = true;
    }
  }

  const sessionTimeoutMsMin = given.sessionTimeoutMsMin ?? settingDefaults.sessionTimeoutMsMin;
  const sessionTimeoutMsMax = given.sessionTimeoutMsMax ?? settingDefaults.sessionTimeoutMsMax;
  if (sessionTimeoutMsMin > sessionTimeoutMsMax) {
    problems.push(
      `the shortest session timeout (${sessionTimeoutMsMin} ms, ${sourceOf('sessionTimeoutMsMin')}) is above the longest (${sessionTimeoutMsMax} ms, ${sourceOf('sessionTimeoutMsMax')}); lower the first or raise the second`,
    );
  }
  const limits: KeelLimits = {
    dataBytesMax: given.dataBytesMax ?? settingDefaults.dataBytesMax,
    requestBytesMax: given.requestBytesMax ?? settingDefaults.requestBytesMax,
    pendingRequestsMax: given.pendingRequestsMax ?? settingDefaults.pendingRequestsMax,
    sessionsPerAddressMax: given.sessionsPerAddressMax ?? settingDefaults.sessionsPerAddressMax,
    pendingRequestBytesMax: given.pendingRequestBytesMax ?? settingDefaults.pendingRequestBytesMax,
    sendBufferBytesMax: given.sendBufferBytesMax ?? settingDefaults.sendBufferBytesMax,
    watchesPerConnectionMax: given.watchesPerConnectionMax ?? settingDefaults.watchesPerConnectionMax,
    changeWindowRevisions: given.changeWindowRevisions ?? settingDefaults.changeWindowRevisions,
    changeWindowEventsMax: given.changeWindowEventsMax ?? settingDefaults.changeWindowEventsMax,
  };
  if (limits.requestBytesMax < limits.dataBytesMax + requestOverheadBytes) {
    problems.push(
      `the request limit (${limits.requestBytesMax} bytes, ${sourceOf('requestBytesMax')}) must be at least the data limit (${limits.dataBytesMax} bytes, ${sourceOf('dataBytesMax')}) plus ${requestOverheadBytes} bytes for the path and framing`,
    );
  }
  // A request of the largest size must fit the queue, or it could never be sent.
  if (limits.pendingRequestBytesMax < limits.requestBytesMax) {
    problems.push(
      `the pending request bytes (${limits.pendingRequestBytesMax} bytes, ${sourceOf('pendingRequestBytesMax')}) must be at least the request limit (${limits.requestBytesMax} bytes, ${sourceOf('requestBytesMax')}) so that the largest request fits; raise the first or lower the second`,
    );
  }

  // Both follow the shortest session timeout unless set: a session must be reported, and its
  // clients moved to another member, before the leader could expire it.
  const timers: KeelTimers = {
    ttlCheckMs: given.ttlCheckMs ?? settingDefaults.ttlCheckMs,
    sessionReportMs: given.sessionReportMs ?? Math.max(1, Math.floor(sessionTimeoutMsMin / 3)),
    leaderlessCloseMs: given.leaderlessCloseMs ?? Math.max(1, Math.floor(sessionTimeoutMsMin / 4)),
    writeTimeoutMs: given.writeTimeoutMs ?? settingDefaults.writeTimeoutMs,
  };
  for (const [key, what] of [
    ['sessionReportMs', 'the session report interval'],
    ['leaderlessCloseMs', 'the leaderless close delay'],
  ] as const) {
    if (given[key] !== undefined && timers[key] >= sessionTimeoutMsMin) {
      problems.push(
        `${what} (${timers[key]} ms, ${sourceOf(key)}) must be below the shortest session timeout (${sessionTimeoutMsMin} ms, ${sourceOf('sessionTimeoutMsMin')}), or sessions expire while their clients are still connected; lower the first or raise the second`,
      );
    }
  }
  const raft: KeelRaftTuning = {
    tickMs: given.tickMs ?? settingDefaults.tickMs,
    electionTicks: given.electionTicks ?? settingDefaults.electionTicks,
    heartbeatTicks: given.heartbeatTicks ?? settingDefaults.heartbeatTicks,
    snapshotEveryEntries: given.snapshotEveryEntries ?? settingDefaults.snapshotEveryEntries,
  };
  if (raft.heartbeatTicks >= raft.electionTicks) {
    problems.push(
      `the heartbeat interval (${raft.heartbeatTicks} ticks, ${sourceOf('heartbeatTicks')}) must be below the election timeout (${raft.electionTicks} ticks, ${sourceOf('electionTicks')}), or followers start elections against a live leader; lower the first or raise the second`,
    );
  }

  const clientListen = { host: given.clientHost ?? host, port: given.clientPort ?? settingDefaults.clientPort };
  const peerListen = { host: given.peerHost ?? host, port: given.peerPort ?? settingDefaults.peerPort };
  const adminPort = given.adminPort === undefined ? settingDefaults.adminPort : given.adminPort;
  const admin = adminPort === null ? null : { host: given.adminHost ?? settingDefaults.adminHost, port: adminPort };
  const endpoints: [string, ListenAddress | null, SettingKey][] = [
    ['client', clientListen, 'clientPort'],
    ['peer', peerListen, 'peerPort'],
    ['admin', admin, 'adminPort'],
  ];
  for (let i = 0; i < endpoints.length; i++) {
    for (let j = i + 1; j < endpoints.length; j++) {
      const [nameA, a, keyA] = endpoints[i] as (typeof endpoints)[number];
      const [nameB, b, keyB] = endpoints[j] as (typeof endpoints)[number];
      if (a === null || b === null || a.port === 0 || a.port !== b.port || !sameInterface(a.host, b.host)) continue;
      problems.push(
        `the ${nameA} and ${nameB} endpoints both use port ${a.port} (${sourceOf(keyA)}, ${sourceOf(keyB)}); give each its own port`,
      );
    }
  }

  if (problems.length > 0 || clusterSecret === undefined) return { ok: false, problems };
  return {
    ok: true,
    config: {
      id,
      dataDir: given.dataDir ?? settingDefaults.dataDir,
      clientListen,
      clientUrl: given.clientUrl ?? null,
      peerListen,
      peerUrl: given.peerUrl ?? listedSelf ?? null,
      peers,
      join,
      clusterSecret,
      clusterSecretGenerated,
      sessionTimeoutMsMin,
      sessionTimeoutMsMax,
      admin,
      logLevel: given.logLevel ?? settingDefaults.logLevel,
      limits,
      timers,
      raft,
    },
  };
}

const wildcardHosts = new Set(['0.0.0.0', '::', '[::]']);

/** Two listeners on one port collide when they share a host or one of them listens everywhere. */
function sameInterface(a: string, b: string): boolean {
  return a === b || wildcardHosts.has(a) || wildcardHosts.has(b);
}
