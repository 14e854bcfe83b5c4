#!/usr/bin/env node
/**
 * `keel-server`: starts one Keel member from flags, `KEEL_*` environment variables and a config
 * file, serves the admin endpoint, logs JSON lines to stdout, and stops cleanly on SIGTERM or
 * SIGINT (a second signal exits at once).
 */
import { AdminServer } from '../admin/admin-server';
import { serverVersion } from '../admin/version';
import { createLogger, type KeelLogger } from '../logging/logger';
import { raftLoggerOf } from '../logging/raft-logger';
import { KeelServer } from '../server/keel-server';
import { parseCli } from './args';
import { ConfigError, configExitCode } from './config-errors';
import type { KeelConfig } from './config-resolve';
import { shutDown } from './shutdown';
import { usageText } from './usage';

async function main(): Promise<void> {
  let request: ReturnType<typeof parseCli>;
  try {
    request = parseCli(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nRun keel-server --help to see every setting.\n`);
    process.exitCode = configExitCode;
    return;
  }
  if (request.kind === 'help') {
    process.stdout.write(usageText());
    return;
  }
  if (request.kind === 'version') {
    process.stdout.write(`${serverVersion}\n`);
    return;
  }
  const { config } = request;
  const logger = createLogger({ level: config.logLevel, member: config.id });
  const startedAt = Date.now();
  // Signals are handled from the start: one that arrives while the log is being opened stops
  // the member as soon as it runs, instead of killing it halfway through opening.
  let running: { server: KeelServer; admin: AdminServer | null } | null = null;
  let stopReason: { reason: string; exitCode: number } | null = null;
  // A signal handler may have set it while `KeelServer.start` was awaited.
  const requestedStop = () => stopReason;
  let stopping = false;
  const stop = async (reason: string, exitCode: number): Promise<void> => {
    stopReason ??= { reason, exitCode };
    if (running === null || stopping) return;
    stopping = true;
    try {
      await shutDown({ ...running, logger }, stopReason.reason);
      process.exit(stopReason.exitCode);
    } catch (error) {
      logger.error({ error: String(error) }, 'clean stop failed');
      process.exit(1);
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopReason !== null) {
      logger.warn({ signal }, 'second signal: exiting without a clean stop');
      process.exit(1);
    }
    void stop(signal, 0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  let server: KeelServer;
  try {
    server = await KeelServer.start({ ...request.options, logger: raftLoggerOf(logger) });
  } catch (error) {
    failedToStart(logger, error);
    return;
  }
  let admin: AdminServer | null = null;
  if (config.admin !== null) {
    try {
      admin = await AdminServer.start({
        listen: config.admin,
        target: server,
        startedAt,
        log: logger,
        clientUrl: config.clientUrl,
      });
    } catch (error) {
      await server.stop();
      failedToStart(logger, error);
      return;
    }
  }
  logStarted(logger, config, server, admin);
  server.node.on('membershipChange', (conf) => {
    logger.info({ voters: conf.voters, learners: conf.learners }, 'membership changed');
  });
  server.node.on('fatal', (error) => {
    logger.fatal({ error: error.message }, 'the member failed and stops');
    void stop('fatal error', 1);
  });
  running = { server, admin };
  const requested = requestedStop();
  if (requested !== null) void stop(requested.reason, requested.exitCode);
}

function logStarted(logger: KeelLogger, config: KeelConfig, server: KeelServer, admin: AdminServer | null): void {
  logger.info(
    {
      id: server.id,
      version: serverVersion,
      clientUrl: config.clientUrl ?? server.clientUrl,
      peerUrl: config.peerUrl ?? server.peerUrl,
      adminUrl: admin?.url ?? null,
      dataDir: config.dataDir,
      peers: config.peers,
      join: config.join,
    },
    'keel-server started',
  );
  if (config.clusterSecretGenerated) {
    logger.debug('no cluster secret configured: generated one (a single member needs none)');
  }
}

function failedToStart(logger: KeelLogger, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  logger.fatal({ error: message }, 'keel-server failed to start');
  process.stderr.write(`keel-server failed to start: ${message}\n`);
  process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `keel-server failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
