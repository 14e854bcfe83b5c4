/**
 * Configuration problems: each one says which setting, from which source, is wrong and what
 * would be right. All of them are collected before the member refuses to start, so an operator
 * fixes a config in one round instead of one problem per restart.
 */

/** Exit code of `keel-server` when its configuration is refused (the usage-error convention). */
export const configExitCode = 2;

/** Where a value came from, as an operator would name it: `--client-port`, `KEEL_CLIENT_PORT`, `keel.json: clientPort`. */
export type ConfigSourceName = string;

/** Thrown when the configuration cannot be used; `problems` lists every reason, one line each. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** Stable code for callers that branch on the failure. */
  readonly code = 'ConfigInvalid';

  constructor(readonly problems: readonly string[]) {
    super(problems.map((problem) => `config: ${problem}`).join('\n'));
  }
}

/** True if `error` is a {@link ConfigError}. */
export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}

/** Quotes a bad value for a message: strings in JSON quotes, everything else as JSON, long values cut. */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
