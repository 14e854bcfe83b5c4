/**
 * Turns a checked configuration into `KeelServerOptions`.
 */
import type { RaftNodeLogger } from '@keel/raft';
import type { KeelServerOptions } from '../server/options';
import type { KeelConfig } from './config-resolve';

/**
 * The options `KeelServer.start` takes. Members given with `--peer` form a new cluster together
 * (they all bootstrap the same voter list, used only while their logs are empty); with `join`
 * the member bootstraps nothing and waits for the leader to add it.
 * Every value is passed explicitly (defaults already applied), so what the member runs with is
 * exactly what the configuration says.
 *
 * Not passed: `clientUrl`, which only the CLI uses (startup line and `/status`).
 */
export function serverOptionsOf(config: KeelConfig, logger?: RaftNodeLogger): KeelServerOptions {
  const others = Object.keys(config.peers);
  const peers: Record<string, string> = { ...config.peers };
  if (config.peerUrl !== null) peers[config.id] = config.peerUrl;
  return {
    id: config.id,
    dataDir: config.dataDir,
    clientListen: config.clientListen,
    peerListen: config.peerListen,
    clusterSecret: config.clusterSecret,
    sessionTimeoutMsMin: config.sessionTimeoutMsMin,
    sessionTimeoutMsMax: config.sessionTimeoutMsMax,
    dataBytesMax: config.limits.dataBytesMax,
    requestBytesMax: config.limits.requestBytesMax,
    pendingRequestsMax: config.limits.pendingRequestsMax,
    sessionsPerAddressMax: config.limits.sessionsPerAddressMax,
    pendingRequestBytesMax: config.limits.pendingRequestBytesMax,
    sendBufferBytesMax: config.limits.sendBufferBytesMax,
    watchesPerConnectionMax: config.limits.watchesPerConnectionMax,
    changeWindowRevisions: config.limits.changeWindowRevisions,
    changeWindowEventsMax: config.limits.changeWindowEventsMax,
    ttlCheckMs: config.timers.ttlCheckMs,
    sessionReportMs: config.timers.sessionReportMs,
    leaderlessCloseMs: config.timers.leaderlessCloseMs,
    writeTimeoutMs: config.timers.writeTimeoutMs,
    tickMs: config.raft.tickMs,
    raft: { electionTicks: config.raft.electionTicks, heartbeatTicks: config.raft.heartbeatTicks },
    snapshotEveryEntries: config.raft.snapshotEveryEntries,
    // A lone member given its own peer URL passes it too: /status and listMembers report it.
    ...(others.length === 0 && config.peerUrl === null ? {} : { peers }),
    ...(others.length === 0 || config.join
      ? {}
      : { bootstrap: { voters: [config.id, ...others].sort(), learners: [] } }),
    ...(logger === undefined ? {} : { logger }),
  };
}
