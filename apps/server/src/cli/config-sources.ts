/**
 * The three sources of settings, each read into a layer of raw values that remember where they
 * came from: command-line flags, `KEEL_*` environment variables and a JSON config file. Reading
 * never stops at the first problem; parsing and precedence happen in `config-resolve.ts`.
 */
import { parseArgs } from 'node:util';
import { shown } from './config-errors';
import { commandFlags, type SettingKey, settingSpecs } from './config-schema';

/** One raw value and where it came from. */
export interface RawSetting {
  readonly raw: unknown;
  /** How an operator names the place: `--client-port`, `KEEL_CLIENT_PORT`, `keel.json: clientPort`. */
  readonly source: string;
  /** Flags and environment variables give strings; the file gives JSON values. */
  readonly fromText: boolean;
}

/** The settings one source gave, and what was wrong with the source itself. */
export interface ConfigLayer {
  readonly values: ReadonlyMap<SettingKey, RawSetting>;
  readonly problems: readonly string[];
}

/** The command line: settings plus the flags that choose what to do. */
export interface FlagLayer extends ConfigLayer {
  readonly help: boolean;
  readonly version: boolean;
  /** `--config`, if given. */
  readonly configFile: string | undefined;
}

/** The environment: settings plus `KEEL_CONFIG`. */
export interface EnvLayer extends ConfigLayer {
  readonly configFile: string | undefined;
}

const envPrefix = 'KEEL_';

/** Reads command-line arguments (without node and the script). Unknown flags are problems. */
export function readFlags(argv: readonly string[]): FlagLayer {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
    [commandFlags.config.flag]: { type: 'string' },
    [commandFlags.help.flag]: { type: 'boolean', short: commandFlags.help.short },
    [commandFlags.version.flag]: { type: 'boolean' },
  };
  for (const spec of settingSpecs) {
    options[spec.flag] = { type: spec.placeholder === undefined ? 'boolean' : 'string' };
  }
  // Not strict: parseArgs would stop at the first problem, and every problem should be reported.
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const problems: string[] = [];
  const values = new Map<SettingKey, RawSetting>();
  const repeated = new Map<SettingKey, string[]>();
  let help = false;
  let version = false;
  let configFile: string | undefined;
  let afterUnknownFlag = false;
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      // `--bogus value`: the value belongs to the unknown flag already reported.
      if (!afterUnknownFlag) problems.push(`unexpected argument ${shown(token.value)}: every setting is a --flag`);
      afterUnknownFlag = false;
      continue;
    }
    afterUnknownFlag = false;
    const option = options[token.name];
    if (option === undefined) {
      problems.push(`unknown flag ${token.rawName} (see keel-server --help)`);
      afterUnknownFlag = token.value === undefined;
      continue;
    }
    if (option.type === 'boolean') {
      if (token.inlineValue === true) {
        problems.push(`${token.rawName} takes no value (leave the flag out for false), got ${shown(token.value)}`);
      } else if (token.name === commandFlags.help.flag) {
        help = true;
      } else if (token.name === commandFlags.version.flag) {
        version = true;
      } else {
        const spec = settingSpecs.find((candidate) => candidate.flag === token.name);
        if (spec !== undefined) values.set(spec.key, { raw: true, source: `--${spec.flag}`, fromText: false });
      }
      continue;
    }
    if (token.value === undefined) {
      problems.push(`${token.rawName} needs a value`);
      continue;
    }
    if (token.name === commandFlags.config.flag) {
      if (configFile !== undefined) problems.push(`--config is given twice; give one config file`);
      configFile = token.value;
      continue;
    }
    const spec = settingSpecs.find((candidate) => candidate.flag === token.name);
    if (spec === undefined) continue;
    const source = `--${spec.flag}`;
    if (spec.repeatable === true) {
      const list = repeated.get(spec.key) ?? [];
      list.push(token.value);
      repeated.set(spec.key, list);
      values.set(spec.key, { raw: list, source, fromText: true });
    } else if (values.has(spec.key)) {
      problems.push(`${source} is given twice; give it once`);
    } else {
      values.set(spec.key, { raw: token.value, source, fromText: true });
    }
  }
  return { values, problems, help, version, configFile };
}

/**
 * Reads `KEEL_*` variables. An unknown one is a problem: a misspelt variable would otherwise be
 * ignored silently and the member would start with a default the operator did not want. Empty
 * variables count as unset, as shells and service managers often leave them.
 */
export function readEnv(env: Readonly<Record<string, string | undefined>>): EnvLayer {
  const problems: string[] = [];
  const values = new Map<SettingKey, RawSetting>();
  let configFile: string | undefined;
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (!name.startsWith(envPrefix) || value === undefined || value === '') continue;
    if (name === commandFlags.config.env) {
      configFile = value;
      continue;
    }
    const spec = settingSpecs.find((candidate) => candidate.env === name);
    if (spec === undefined) {
      problems.push(`unknown environment variable ${name} (see keel-server --help for the known ones)`);
      continue;
    }
    values.set(spec.key, { raw: value, source: name, fromText: true });
  }
  return { values, problems, configFile };
}

/** Reads the text of a JSON config file; `fileName` names it in messages. Unknown keys are problems. */
export function readConfigFile(content: string, fileName: string): ConfigLayer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { values: new Map(), problems: [`${fileName} is not valid JSON: ${reason}`] };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { values: new Map(), problems: [`${fileName} must hold a JSON object of settings, got ${shown(parsed)}`] };
  }
  const problems: string[] = [];
  const values = new Map<SettingKey, RawSetting>();
  for (const [key, raw] of Object.entries(parsed)) {
    const spec = settingSpecs.find((candidate) => candidate.key === key);
    if (spec === undefined) {
      problems.push(
        `${fileName}: unknown key ${shown(key)} (known keys: ${settingSpecs.map((s) => s.key).join(', ')})`,
      );
      continue;
    }
    values.set(spec.key, { raw, source: `${fileName}: ${key}`, fromText: false });
  }
  return { values, problems };
}
