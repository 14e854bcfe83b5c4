/**
 * The member's logger as the peer transport sees it.
 */
import type { RaftNodeLogger, TransportLogger } from '@keel/raft';

/**
 * `logger` with the transport's `info` lines written at `debug`: they say that a listener opened
 * or a peer link (re)connected, which `keel-server started` and `leader changed` already cover,
 * and a flapping link would otherwise fill the info log. Refused handshakes and dropped frames
 * stay at `warn`, which is where a wrong cluster secret or a misaddressed member shows.
 */
export function transportLoggerOf(logger: RaftNodeLogger): TransportLogger {
  return {
    debug: (message, fields) => logger.debug(message, fields),
    info: (message, fields) => logger.debug(message, fields),
    warn: (message, fields) => logger.warn(message, fields),
    error: (message, fields) => logger.error(message, fields),
  };
}
