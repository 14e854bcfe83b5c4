/**
 * Every setting of `keel-server` in one table: its config-file key, flag, environment variable,
 * parser, default and meaning. Flags, environment, file, usage text and docs all follow it.
 */
import { defaultRaftConfig } from '@keel/raft';
import { sessionTimeoutMsMax } from '../constants';
import { type LogLevel, logLevels } from '../logging/logger';
import {
  defaultChangeWindowEventsMax,
  defaultChangeWindowRevisions,
  defaultDataBytesMax,
  defaultPendingRequestBytesMax,
  defaultPendingRequestsMax,
  defaultRequestBytesMax,
  defaultSendBufferBytesMax,
  defaultSessionsPerAddressMax,
  defaultSessionTimeoutMsMax,
  defaultSessionTimeoutMsMin,
  defaultSnapshotEveryEntries,
  defaultTickMs,
  defaultTtlCheckMs,
  defaultWatchesPerConnectionMax,
  defaultWriteTimeoutMs,
} from '../server/options';
import {
  boolean,
  host,
  integer,
  memberId,
  members,
  oneOf,
  port,
  portOrOff,
  text,
  type ValueParser,
  wsUrl,
} from './config-values';

/** The typed value of every setting once parsed (before defaults). */
export interface SettingValues {
  id: string;
  dataDir: string;
  host: string;
  clientHost: string;
  clientPort: number;
  clientUrl: string;
  peerHost: string;
  peerPort: number;
  peerUrl: string;
  peers: Readonly<Record<string, string>>;
  join: boolean;
  clusterSecret: string;
  sessionTimeoutMsMin: number;
  sessionTimeoutMsMax: number;
  adminHost: string;
  adminPort: number | null;
  logLevel: LogLevel;
  dataBytesMax: number;
  requestBytesMax: number;
  pendingRequestsMax: number;
  sessionsPerAddressMax: number;
  pendingRequestBytesMax: number;
  sendBufferBytesMax: number;
  watchesPerConnectionMax: number;
  changeWindowRevisions: number;
  changeWindowEventsMax: number;
  ttlCheckMs: number;
  sessionReportMs: number;
  leaderlessCloseMs: number;
  writeTimeoutMs: number;
  tickMs: number;
  electionTicks: number;
  heartbeatTicks: number;
  snapshotEveryEntries: number;
}

/** A setting's name: its key in the config file. */
export type SettingKey = keyof SettingValues;

/** How one setting is given and read. */
export interface SettingSpec<K extends SettingKey = SettingKey> {
  readonly key: K;
  /** Long flag without its dashes. */
  readonly flag: string;
  /** Environment variable. */
  readonly env: string;
  /** Placeholder of the flag's value in the usage text (absent: the flag takes no value). */
  readonly placeholder?: string;
  /** The flag may be given more than once (its values are collected). */
  readonly repeatable?: boolean;
  readonly parse: ValueParser<SettingValues[K]>;
  /** The default, as the usage text and docs show it. */
  readonly defaultText: string;
  /** One line for the usage text and the configuration table. */
  readonly meaning: string;
}

/** Default ports of a single member, and of the first member of `npm run cluster`. */
export const defaultPorts = Object.freeze({ client: 5181, peer: 5281, admin: 5191 });

/** Smallest request limit: a request must at least carry a path and its framing. */
const requestBytesMin = 1_024;

/** Limit of counters an operator may set (pending requests, sessions per address). */
const countMax = 1_000_000;

/** Limit of the byte budgets an operator may set (per-connection queues): 16 GiB. */
const budgetBytesMax = 16 * 1024 * 1024 * 1024;

/** Limit of the change window, in revisions or events (each event is kept in memory). */
const changeWindowMax = 100_000_000;

/** Limit of the timer settings: one hour. */
const timerMsMax = 3_600_000;

/** Limit of the Raft tick counts. */
const ticksMax = 1_000;

/** The values a member starts with when nothing configures it. */
export const settingDefaults = Object.freeze({
  id: 'keel-1',
  dataDir: './data',
  host: '127.0.0.1',
  clientPort: defaultPorts.client,
  peerPort: defaultPorts.peer,
  peers: Object.freeze({}) as Readonly<Record<string, string>>,
  join: false,
  sessionTimeoutMsMin: defaultSessionTimeoutMsMin,
  sessionTimeoutMsMax: defaultSessionTimeoutMsMax,
  adminHost: '127.0.0.1',
  adminPort: defaultPorts.admin as number | null,
  logLevel: 'info' as LogLevel,
  dataBytesMax: defaultDataBytesMax,
  requestBytesMax: defaultRequestBytesMax,
  pendingRequestsMax: defaultPendingRequestsMax,
  sessionsPerAddressMax: defaultSessionsPerAddressMax,
  pendingRequestBytesMax: defaultPendingRequestBytesMax,
  sendBufferBytesMax: defaultSendBufferBytesMax,
  watchesPerConnectionMax: defaultWatchesPerConnectionMax,
  changeWindowRevisions: defaultChangeWindowRevisions,
  changeWindowEventsMax: defaultChangeWindowEventsMax,
  ttlCheckMs: defaultTtlCheckMs,
  writeTimeoutMs: defaultWriteTimeoutMs,
  tickMs: defaultTickMs,
  electionTicks: defaultRaftConfig.electionTicks,
  heartbeatTicks: defaultRaftConfig.heartbeatTicks,
  snapshotEveryEntries: defaultSnapshotEveryEntries,
});

function spec<K extends SettingKey>(value: SettingSpec<K>): SettingSpec<K> {
  return value;
}

/** Every setting, in the order the usage text lists them. */
export const settingSpecs: readonly SettingSpec[] = [
  spec({
    key: 'id',
    flag: 'id',
    env: 'KEEL_ID',
    placeholder: '<id>',
    parse: memberId,
    defaultText: settingDefaults.id,
    meaning: 'this member id, unique in the cluster',
  }),
  spec({
    key: 'dataDir',
    flag: 'data-dir',
    env: 'KEEL_DATA_DIR',
    placeholder: '<dir>',
    parse: text('directory path'),
    defaultText: settingDefaults.dataDir,
    meaning: 'directory of the durable Raft log and snapshots (created if missing)',
  }),
  spec({
    key: 'host',
    flag: 'host',
    env: 'KEEL_HOST',
    placeholder: '<host>',
    parse: host,
    defaultText: settingDefaults.host,
    meaning: 'listen address of the client and peer endpoints unless --client-host / --peer-host say otherwise',
  }),
  spec({
    key: 'clientHost',
    flag: 'client-host',
    env: 'KEEL_CLIENT_HOST',
    placeholder: '<host>',
    parse: host,
    defaultText: 'the --host value',
    meaning: 'listen address of the client WebSocket endpoint',
  }),
  spec({
    key: 'clientPort',
    flag: 'client-port',
    env: 'KEEL_CLIENT_PORT',
    placeholder: '<port>',
    parse: port,
    defaultText: String(settingDefaults.clientPort),
    meaning: 'port of the client endpoint (0: a free port)',
  }),
  spec({
    key: 'clientUrl',
    flag: 'client-url',
    env: 'KEEL_CLIENT_URL',
    placeholder: '<url>',
    parse: wsUrl,
    defaultText: 'the address the client endpoint is bound to',
    meaning:
      'URL this member reports for clients in its startup line and /status (set it when listening on 0.0.0.0 or behind NAT)',
  }),
  spec({
    key: 'peerHost',
    flag: 'peer-host',
    env: 'KEEL_PEER_HOST',
    placeholder: '<host>',
    parse: host,
    defaultText: 'the --host value',
    meaning: 'listen address of the peer (member-to-member) endpoint',
  }),
  spec({
    key: 'peerPort',
    flag: 'peer-port',
    env: 'KEEL_PEER_PORT',
    placeholder: '<port>',
    parse: port,
    defaultText: String(settingDefaults.peerPort),
    meaning: 'port of the peer endpoint (0: a free port)',
  }),
  spec({
    key: 'peerUrl',
    flag: 'peer-url',
    env: 'KEEL_PEER_URL',
    placeholder: '<url>',
    parse: wsUrl,
    defaultText: "this member's entry in --peer, else ws://<peer host>:<peer port>",
    meaning: 'URL other members use to reach this member',
  }),
  spec({
    key: 'peers',
    flag: 'peer',
    env: 'KEEL_PEERS',
    placeholder: '<id=url>',
    repeatable: true,
    parse: members,
    defaultText: 'none (a single-member cluster)',
    meaning: 'initial members: repeat for each (this member may be listed too); env: comma-separated',
  }),
  spec({
    key: 'join',
    flag: 'join',
    env: 'KEEL_JOIN',
    parse: boolean,
    defaultText: 'false',
    meaning: 'join an existing cluster (wait to be added) instead of forming a new one from --peer',
  }),
  spec({
    key: 'clusterSecret',
    flag: 'cluster-secret',
    env: 'KEEL_CLUSTER_SECRET',
    placeholder: '<secret>',
    parse: text('secret'),
    defaultText: 'required with peers; a single member generates one',
    meaning: 'shared secret that authenticates members to each other (prefer the environment variable)',
  }),
  spec({
    key: 'sessionTimeoutMsMin',
    flag: 'session-timeout-min-ms',
    env: 'KEEL_SESSION_TIMEOUT_MIN_MS',
    placeholder: '<ms>',
    parse: integer(1, sessionTimeoutMsMax),
    defaultText: String(settingDefaults.sessionTimeoutMsMin),
    meaning: 'shortest session timeout granted to a client',
  }),
  spec({
    key: 'sessionTimeoutMsMax',
    flag: 'session-timeout-max-ms',
    env: 'KEEL_SESSION_TIMEOUT_MAX_MS',
    placeholder: '<ms>',
    parse: integer(1, sessionTimeoutMsMax),
    defaultText: String(settingDefaults.sessionTimeoutMsMax),
    meaning: 'longest session timeout granted to a client',
  }),
  spec({
    key: 'adminHost',
    flag: 'admin-host',
    env: 'KEEL_ADMIN_HOST',
    placeholder: '<host>',
    parse: host,
    defaultText: settingDefaults.adminHost,
    meaning: 'listen address of the admin HTTP endpoint (/health, /status)',
  }),
  spec({
    key: 'adminPort',
    flag: 'admin-port',
    env: 'KEEL_ADMIN_PORT',
    placeholder: '<port|off>',
    parse: portOrOff,
    defaultText: String(settingDefaults.adminPort),
    meaning: 'port of the admin endpoint (0: a free port, off: no admin endpoint)',
  }),
  spec({
    key: 'logLevel',
    flag: 'log-level',
    env: 'KEEL_LOG_LEVEL',
    placeholder: '<level>',
    parse: oneOf(logLevels),
    defaultText: settingDefaults.logLevel,
    meaning: `log level: ${logLevels.join(', ')}`,
  }),
  spec({
    key: 'dataBytesMax',
    flag: 'max-data-bytes',
    env: 'KEEL_MAX_DATA_BYTES',
    placeholder: '<bytes>',
    parse: integer(1, defaultDataBytesMax),
    defaultText: String(settingDefaults.dataBytesMax),
    meaning: 'largest node data a client may write (at most the default)',
  }),
  spec({
    key: 'requestBytesMax',
    flag: 'max-request-bytes',
    env: 'KEEL_MAX_REQUEST_BYTES',
    placeholder: '<bytes>',
    parse: integer(requestBytesMin, defaultRequestBytesMax),
    defaultText: String(settingDefaults.requestBytesMax),
    meaning: 'largest client request frame (at most the default)',
  }),
  spec({
    key: 'pendingRequestsMax',
    flag: 'max-pending-requests',
    env: 'KEEL_MAX_PENDING_REQUESTS',
    placeholder: '<n>',
    parse: integer(1, countMax),
    defaultText: String(settingDefaults.pendingRequestsMax),
    meaning: 'most requests one connection may have waiting for answers',
  }),
  spec({
    key: 'sessionsPerAddressMax',
    flag: 'max-sessions-per-address',
    env: 'KEEL_MAX_SESSIONS_PER_ADDRESS',
    placeholder: '<n>',
    parse: integer(1, countMax),
    defaultText: String(settingDefaults.sessionsPerAddressMax),
    meaning: 'most client connections from one IP address to this member',
  }),
  spec({
    key: 'pendingRequestBytesMax',
    flag: 'max-pending-request-bytes',
    env: 'KEEL_MAX_PENDING_REQUEST_BYTES',
    placeholder: '<bytes>',
    parse: integer(requestBytesMin, budgetBytesMax),
    defaultText: String(settingDefaults.pendingRequestBytesMax),
    meaning: 'most bytes of request frames one connection may have waiting (at least --max-request-bytes)',
  }),
  spec({
    key: 'sendBufferBytesMax',
    flag: 'max-send-buffer-bytes',
    env: 'KEEL_MAX_SEND_BUFFER_BYTES',
    placeholder: '<bytes>',
    parse: integer(requestBytesMin, budgetBytesMax),
    defaultText: String(settingDefaults.sendBufferBytesMax),
    meaning: 'most bytes queued for a client that reads too slowly; beyond it its connection is closed',
  }),
  spec({
    key: 'watchesPerConnectionMax',
    flag: 'max-watches-per-connection',
    env: 'KEEL_MAX_WATCHES_PER_CONNECTION',
    placeholder: '<n>',
    parse: integer(1, countMax),
    defaultText: String(settingDefaults.watchesPerConnectionMax),
    meaning: 'most watches one connection may hold',
  }),
  spec({
    key: 'changeWindowRevisions',
    flag: 'change-window-revisions',
    env: 'KEEL_CHANGE_WINDOW_REVISIONS',
    placeholder: '<n>',
    parse: integer(0, changeWindowMax),
    defaultText: String(settingDefaults.changeWindowRevisions),
    meaning: 'revisions of recent changes kept so a reconnecting client can resume its watches (0: none)',
  }),
  spec({
    key: 'changeWindowEventsMax',
    flag: 'max-change-window-events',
    env: 'KEEL_MAX_CHANGE_WINDOW_EVENTS',
    placeholder: '<n>',
    parse: integer(0, changeWindowMax),
    defaultText: String(settingDefaults.changeWindowEventsMax),
    meaning: 'most change events the window keeps, however few revisions they span',
  }),
  spec({
    key: 'ttlCheckMs',
    flag: 'ttl-check-ms',
    env: 'KEEL_TTL_CHECK_MS',
    placeholder: '<ms>',
    parse: integer(1, timerMsMax),
    defaultText: String(settingDefaults.ttlCheckMs),
    meaning: 'how often the leader looks for expired TTL nodes',
  }),
  spec({
    key: 'sessionReportMs',
    flag: 'session-report-ms',
    env: 'KEEL_SESSION_REPORT_MS',
    placeholder: '<ms>',
    parse: integer(1, timerMsMax),
    defaultText: 'a third of --session-timeout-min-ms',
    meaning: 'how often a member tells the leader which sessions it serves (below the shortest session timeout)',
  }),
  spec({
    key: 'leaderlessCloseMs',
    flag: 'leaderless-close-ms',
    env: 'KEEL_LEADERLESS_CLOSE_MS',
    placeholder: '<ms>',
    parse: integer(1, timerMsMax),
    defaultText: 'a quarter of --session-timeout-min-ms',
    meaning:
      'how long a member without a leader keeps its clients before closing them so they fail over (below the shortest session timeout)',
  }),
  spec({
    key: 'writeTimeoutMs',
    flag: 'write-timeout-ms',
    env: 'KEEL_WRITE_TIMEOUT_MS',
    placeholder: '<ms>',
    parse: integer(1, timerMsMax),
    defaultText: String(settingDefaults.writeTimeoutMs),
    meaning: 'how long a write may wait to be applied before its client gets ConnectionLoss (outcome unknown)',
  }),
  spec({
    key: 'tickMs',
    flag: 'tick-ms',
    env: 'KEEL_TICK_MS',
    placeholder: '<ms>',
    parse: integer(1, 10_000),
    defaultText: String(settingDefaults.tickMs),
    meaning: 'length of one Raft tick; election and heartbeat intervals are counted in ticks',
  }),
  spec({
    key: 'electionTicks',
    flag: 'election-ticks',
    env: 'KEEL_ELECTION_TICKS',
    placeholder: '<n>',
    parse: integer(2, ticksMax),
    defaultText: String(settingDefaults.electionTicks),
    meaning: 'base election timeout in ticks (the actual one is drawn from [n, 2n)); same on every member',
  }),
  spec({
    key: 'heartbeatTicks',
    flag: 'heartbeat-ticks',
    env: 'KEEL_HEARTBEAT_TICKS',
    placeholder: '<n>',
    parse: integer(1, ticksMax),
    defaultText: String(settingDefaults.heartbeatTicks),
    meaning: 'leader heartbeat interval in ticks (below --election-ticks)',
  }),
  spec({
    key: 'snapshotEveryEntries',
    flag: 'snapshot-every-entries',
    env: 'KEEL_SNAPSHOT_EVERY_ENTRIES',
    placeholder: '<n>',
    parse: integer(0, changeWindowMax),
    defaultText: String(settingDefaults.snapshotEveryEntries),
    meaning:
      'snapshot the state and compact the log after at most this many applied entries (each member draws each gap between half and all of it; 0: never)',
  }),
];

/** Flags that are not settings: they choose what the command does or where settings come from. */
export const commandFlags = Object.freeze({
  config: { flag: 'config', env: 'KEEL_CONFIG', placeholder: '<file>', meaning: 'JSON config file' },
  help: { flag: 'help', short: 'h', meaning: 'print this text and exit' },
  version: { flag: 'version', meaning: 'print the version and exit' },
});

/** The spec of `key`. */
export function specOf(key: SettingKey): SettingSpec {
  const found = settingSpecs.find((candidate) => candidate.key === key);
  if (found === undefined) throw new Error(`no setting ${key}`);
  return found;
}
