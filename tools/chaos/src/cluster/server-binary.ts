/**
 * Finds the `keel-server` script and learns which optional flags it supports, so the harness
 * follows the server's command line without a code change.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** What the harness runs for each member. */
export interface ServerBinary {
  /** The Node script started for every member (`apps/server/dist/cli/keel-server.js`). */
  readonly script: string;
  /** Whether the script takes `--admin-port` (HTTP `/status`, used to find the leader). */
  readonly adminPortFlag: boolean;
  /** Whether the script takes `--log-level`. */
  readonly logLevelFlag: boolean;
}

/** The server script could not be found or run. */
export class ServerBinaryError extends Error {
  override readonly name = 'ServerBinaryError';
}

const require = createRequire(import.meta.url);

/** `apps/server/dist/cli/keel-server.js`, found through the workspace link of `@keel/server`. */
export function keelServerScript(): string {
  const script = join(dirname(require.resolve('@keel/server/package.json')), 'dist', 'cli', 'keel-server.js');
  if (!existsSync(script)) {
    throw new ServerBinaryError(`${script} is missing: build the server first (npx nx run @keel/server:build)`);
  }
  return script;
}

/** Reads `keel-server --help` for the optional flags. */
export function detectServerBinary(): ServerBinary {
  const script = keelServerScript();
  let help: string;
  try {
    help = execFileSync(process.execPath, [script, '--help'], { encoding: 'utf8', timeout: 10_000 });
  } catch (error) {
    throw new ServerBinaryError(`${script} --help failed: ${(error as Error).message}`);
  }
  return { script, adminPortFlag: help.includes('--admin-port'), logLevelFlag: help.includes('--log-level') };
}
