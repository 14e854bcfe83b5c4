/**
 * The `keel-server --help` text, generated from the settings table so it never disagrees with
 * what the parser accepts.
 */
import { commandFlags, settingSpecs } from './config-schema';

const column = 34;

function line(left: string, right: string): string {
  return left.length >= column - 2
    ? `  ${left}\n${' '.repeat(column)}${right}`
    : `  ${left.padEnd(column - 2)}${right}`;
}

/** The usage text. */
export function usageText(): string {
  const lines = [
    'Usage: keel-server [options]',
    '',
    'Settings come from flags, then KEEL_* environment variables, then a JSON config file',
    '(--config), then defaults; the first that gives a setting wins.',
    '',
  ];
  for (const spec of settingSpecs) {
    const flag = `--${spec.flag}${spec.placeholder === undefined ? '' : ` ${spec.placeholder}`}`;
    lines.push(line(flag, `${spec.meaning}${spec.repeatable === true ? ' (repeatable)' : ''}`));
    lines.push(line('', `env ${spec.env}, file "${spec.key}", default: ${spec.defaultText}`));
  }
  lines.push(
    line(
      `--config ${commandFlags.config.placeholder}`,
      `${commandFlags.config.meaning} (env ${commandFlags.config.env})`,
    ),
  );
  lines.push(line('--version', commandFlags.version.meaning));
  lines.push(line('-h, --help', commandFlags.help.meaning));
  lines.push('', 'Exit codes: 0 stopped cleanly, 1 failed, 2 bad configuration.', '');
  return lines.join('\n');
}
