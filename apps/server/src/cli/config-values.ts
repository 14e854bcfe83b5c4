/**
 * Parsers of single configuration values. Each takes what a source gave (a string from a flag or
 * an environment variable, a JSON value from the config file) and returns the typed value or
 * what was expected, which the caller turns into `<source> must be <expected>, got <value>`.
 */
import { isIPv6 } from 'node:net';
import { isValidNodeId } from '@keel/raft';

/** A parsed value, or the phrase describing what a good value looks like. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly expected: string };

/** Parses one raw value; `fromText` is true for flags and environment variables (always strings). */
export type ValueParser<T> = (raw: unknown, fromText: boolean) => Parsed<T>;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(expected: string): Parsed<T> => ({ ok: false, expected });

/** An integer in `[min, max]`; text must be plain decimal digits (no `1e3`, no `0x10`, no sign). */
export function integer(min: number, max: number): ValueParser<number> {
  const expected = `an integer ${min}-${max}`;
  return (raw, fromText) => {
    let value: number;
    if (fromText) {
      if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw)) return bad(expected);
      value = Number(raw);
    } else if (typeof raw === 'number' && Number.isSafeInteger(raw)) {
      value = raw;
    } else {
      return bad(expected);
    }
    return value >= min && value <= max ? ok(value) : bad(expected);
  };
}

/** A TCP port; 0 asks the system for a free one. */
export const port: ValueParser<number> = integer(0, 65_535);

/** A port, or `off` to turn the listener off. */
export const portOrOff: ValueParser<number | null> = (raw, fromText) => {
  if (raw === 'off' || (!fromText && raw === null)) return ok(null);
  const parsed = port(raw, fromText);
  return parsed.ok ? parsed : bad('an integer 0-65535 or "off"');
};

/** A non-empty string without control characters. */
export function text(what: string): ValueParser<string> {
  return (raw) =>
    typeof raw === 'string' && raw.length > 0 && !hasControlCharacters(raw) ? ok(raw) : bad(`a non-empty ${what}`);
}

/** A host name or IP address to listen on (`0.0.0.0` or `::` for every interface). */
export const host: ValueParser<string> = (raw) => {
  const expected = 'a host name or IP address such as 127.0.0.1, 0.0.0.0 or keel-1.example.com';
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 253) return bad(expected);
  // A URL or host:port here is a common slip; refusing it beats listening somewhere unexpected.
  if (raw.includes('/') || /\s/.test(raw) || hasControlCharacters(raw)) return bad(expected);
  if (!raw.includes(':') || isIPv6(raw)) return ok(raw);
  return bad(expected);
};

/** A member id as Raft accepts it. */
export const memberId: ValueParser<string> = (raw) =>
  isValidNodeId(raw) ? ok(raw) : bad('a member id of 1-128 bytes without control characters');

/** A `ws://` or `wss://` URL with a host and nothing after the port. */
export const wsUrl: ValueParser<string> = (raw) => {
  const expected = 'a ws:// or wss:// URL such as ws://10.0.0.1:5281';
  if (typeof raw !== 'string') return bad(expected);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return bad(expected);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return bad(expected);
  if (url.hostname === '' || url.username !== '' || url.password !== '') return bad(expected);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') return bad(expected);
  // Keep what the operator wrote (minus a trailing slash): it is compared with other members' lists.
  return ok(raw.endsWith('/') ? raw.slice(0, -1) : raw);
};

/** `true` or `false` (text), or a JSON boolean. */
export const boolean: ValueParser<boolean> = (raw) => {
  if (raw === true || raw === 'true') return ok(true);
  if (raw === false || raw === 'false') return ok(false);
  return bad('true or false');
};

/** One of `choices`. */
export function oneOf<T extends string>(choices: readonly T[]): ValueParser<T> {
  return (raw) =>
    typeof raw === 'string' && (choices as readonly string[]).includes(raw)
      ? ok(raw as T)
      : bad(`one of ${choices.join(', ')}`);
}

/** Members by id, from `id=url` items (flags, comma-separated in the environment) or a JSON object (file). */
export const members: ValueParser<Readonly<Record<string, string>>> = (raw, fromText) => {
  const items: [string, unknown][] = [];
  const itemsExpected = 'id=url items such as n2=ws://10.0.0.2:5281';
  // Flags give a list, the environment one comma-separated string, the file an object.
  if (fromText && (Array.isArray(raw) || typeof raw === 'string')) {
    const specs = typeof raw === 'string' ? raw.split(',').filter((spec) => spec.trim() !== '') : raw;
    for (const spec of specs) {
      if (typeof spec !== 'string') return bad(itemsExpected);
      const at = spec.indexOf('=');
      if (at <= 0) return bad(`${itemsExpected}; ${JSON.stringify(spec)} is not id=url`);
      items.push([spec.slice(0, at).trim(), spec.slice(at + 1).trim()]);
    }
  } else if (!fromText && typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    items.push(...Object.entries(raw));
  } else {
    return bad('an object of member id to peer URL, such as {"n2": "ws://10.0.0.2:5281"}');
  }
  const result: Record<string, string> = {};
  for (const [id, url] of items) {
    if (!memberId(id, true).ok) return bad(`${itemsExpected}; "${id}" is not a valid member id`);
    const parsed = wsUrl(url, true);
    if (!parsed.ok) return bad(`${itemsExpected}; the URL of "${id}" is not ${parsed.expected}`);
    const previous = result[id];
    if (previous !== undefined && previous !== parsed.value) return bad(`${itemsExpected}; "${id}" is listed twice`);
    result[id] = parsed.value;
  }
  return ok(result);
};

function hasControlCharacters(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x20 || (unit >= 0x7f && unit <= 0x9f)) return true;
  }
  return false;
}
