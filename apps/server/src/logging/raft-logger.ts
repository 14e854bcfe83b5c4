/**
 * Adapts a pino logger to the `RaftNodeLogger` interface the Raft runtime and transport use.
 */
import type { RaftNodeLogger } from '@keel/raft';
import type { KeelLogger } from './logger';

/**
 * The Raft runtime calls `logger.info(message, fields)`; pino wants the fields first. Fields go
 * under their own names so `leader`, `term` and `peer` are queryable columns in a log shipper.
 */
export function raftLoggerOf(logger: KeelLogger): RaftNodeLogger {
  return {
    debug: (message, fields) => logger.debug(fields ?? {}, message),
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
  };
}
