/**
 * The member's structured logger: pino, one JSON object per line on stdout.
 */
import { type DestinationStream, type Logger, pino } from 'pino';

/** Levels an operator may choose, quietest last. */
export const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** One of {@link logLevels}. */
export type LogLevel = (typeof logLevels)[number];

/** True if `value` names a {@link LogLevel}. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (logLevels as readonly string[]).includes(value);
}

/** How to build a member's logger. */
export interface KeelLoggerOptions {
  readonly level: LogLevel;
  /** Member id, written into every line so merged logs of a cluster stay readable. */
  readonly member?: string;
  /** Where lines go (default: stdout). Tests pass a stream to read them back. */
  readonly destination?: DestinationStream;
}

/** The logger type every Keel module receives. */
export type KeelLogger = Logger;

/**
 * Creates the logger. Levels are written as names (`"level":"info"`) rather than pino's numbers
 * and times as ISO strings, because operators read these lines and log shippers parse both.
 */
export function createLogger(options: KeelLoggerOptions): KeelLogger {
  return pino(
    {
      level: options.level,
      base: { pid: process.pid, ...(options.member === undefined ? {} : { member: options.member }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
