/**
 * What the `keel-server` command line asks for: read flags, environment and config file, resolve
 * them into one checked configuration, or report every problem at once.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { KeelServerOptions } from '../server/options';
import { ConfigError } from './config-errors';
import { type KeelConfig, resolveConfig } from './config-resolve';
import { settingDefaults } from './config-schema';
import { type ConfigLayer, readConfigFile, readEnv, readFlags } from './config-sources';
import { serverOptionsOf } from './server-options';

/** Defaults of a member started without any setting. */
export const cliDefaults = settingDefaults;

/** What the command line asked for. */
export type CliRequest =
  | {
      readonly kind: 'start';
      readonly config: KeelConfig;
      /** Server options without a logger (the caller adds one made from `config.logLevel`). */
      readonly options: KeelServerOptions;
    }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' };

/** Reads a config file's text; a test may pass its own. */
export type ReadConfigFile = (path: string) => string;

const readUtf8: ReadConfigFile = (path) => readFileSync(path, 'utf8');

/**
 * Parses `argv` (without node and the script) with `env` and the config file it names.
 * Throws {@link ConfigError} listing every problem.
 */
export function parseCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  readFile: ReadConfigFile = readUtf8,
): CliRequest {
  const flags = readFlags(argv);
  if (flags.help) return { kind: 'help' };
  if (flags.version) return { kind: 'version' };
  const environment = readEnv(env);
  const layers: ConfigLayer[] = [flags, environment];
  const configFile = flags.configFile ?? environment.configFile;
  if (configFile !== undefined) {
    const source = flags.configFile !== undefined ? '--config' : 'KEEL_CONFIG';
    let content: string | null = null;
    try {
      content = readFile(configFile);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
      layers.push({ values: new Map(), problems: [`${source} file ${configFile} cannot be read (${reason})`] });
    }
    if (content !== null) layers.push(readConfigFile(content, configFile));
  }
  const result = resolveConfig(layers, { generateSecret: () => randomBytes(32).toString('base64url') });
  if (!result.ok) throw new ConfigError(result.problems);
  return { kind: 'start', config: result.config, options: serverOptionsOf(result.config) };
}
