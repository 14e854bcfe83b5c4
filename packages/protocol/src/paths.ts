/**
 * Node path rules (DESIGN §3) and helpers.
 *
 * A path is absolute and `/`-separated. It has no trailing slash (except the root `/`), no
 * empty, `.` or `..` segment, no control character (C0, DEL, C1), no lone UTF-16 surrogate
 * (it could not survive UTF-8), and at most `pathBytesMax` UTF-8 bytes. A sequential create
 * names a prefix that must itself be a valid path (`/locks/lock-`, not `/locks/`).
 */
import { pathBytesMax as defaultPathBytesMax, sequenceDigits, sequenceMax } from './constants';
import { BadArgumentsError } from './errors';
import { type CreateMode, isSequentialMode } from './modes';

/** Why a path is invalid. */
export type PathProblem =
  | 'notString'
  | 'empty'
  | 'notAbsolute'
  | 'trailingSlash'
  | 'emptySegment'
  | 'dotSegment'
  | 'controlCharacter'
  | 'invalidUnicode'
  | 'tooLong';

/** The result of {@link validatePath}. */
export type PathCheck =
  | { readonly ok: true; readonly path: string }
  | { readonly ok: false; readonly problem: PathProblem; readonly error: BadArgumentsError };

const problemMessages: { readonly [P in PathProblem]: string } = {
  notString: 'path must be a string',
  empty: 'path must not be empty',
  notAbsolute: 'path must start with /',
  trailingSlash: 'path must not end with /',
  emptySegment: 'path must not contain an empty segment (//)',
  dotSegment: 'path must not contain a . or .. segment',
  controlCharacter: 'path must not contain control characters',
  invalidUnicode: 'path must not contain a lone surrogate',
  tooLong: 'path is too long',
};

function invalid(path: unknown, problem: PathProblem, bytesMax: number): PathCheck {
  const detail = problem === 'tooLong' ? ` (more than ${bytesMax} UTF-8 bytes)` : '';
  const shown = typeof path === 'string' ? `: ${JSON.stringify(path.slice(0, 200))}` : '';
  const options = typeof path === 'string' && problem !== 'tooLong' ? { path } : undefined;
  return {
    ok: false,
    problem,
    error: new BadArgumentsError(`${problemMessages[problem]}${detail}${shown}`, options),
  };
}

/** Checks a path against the rules; never throws. */
export function validatePath(path: unknown, bytesMax: number = defaultPathBytesMax): PathCheck {
  if (typeof path !== 'string') return invalid(path, 'notString', bytesMax);
  if (path.length === 0) return invalid(path, 'empty', bytesMax);
  // Every UTF-16 unit is at least one UTF-8 byte: refuse long input before scanning it.
  if (path.length > bytesMax) return invalid(path, 'tooLong', bytesMax);
  if (path.charCodeAt(0) !== 0x2f) return invalid(path, 'notAbsolute', bytesMax);
  let bytes = 0;
  let segmentStart = 1;
  for (let i = 0; i < path.length; i++) {
    const unit = path.charCodeAt(i);
    if (unit < 0x20 || (unit >= 0x7f && unit <= 0x9f)) return invalid(path, 'controlCharacter', bytesMax);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = path.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return invalid(path, 'invalidUnicode', bytesMax);
      bytes += 4;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return invalid(path, 'invalidUnicode', bytesMax);
    else bytes += 3;
    if (unit === 0x2f && i > 0) {
      const problem = segmentProblem(path, segmentStart, i);
      if (problem !== undefined) return invalid(path, problem, bytesMax);
      segmentStart = i + 1;
    }
  }
  if (bytes > bytesMax) return invalid(path, 'tooLong', bytesMax);
  if (path.length > 1) {
    if (segmentStart === path.length) return invalid(path, 'trailingSlash', bytesMax);
    const problem = segmentProblem(path, segmentStart, path.length);
    if (problem !== undefined) return invalid(path, problem, bytesMax);
  }
  return { ok: true, path };
}

function segmentProblem(path: string, start: number, end: number): PathProblem | undefined {
  const length = end - start;
  if (length === 0) return 'emptySegment';
  // Compared in place: slicing every segment of every path allocated on each request.
  if (length <= 2 && path.charCodeAt(start) === 0x2e && (length === 1 || path.charCodeAt(start + 1) === 0x2e)) {
    return 'dotSegment';
  }
  return undefined;
}

/**
 * Checks the path of a create. In a sequential mode the path checked is the one the node will
 * get, ten digits appended, as ZooKeeper checks it: so `/queue/` is valid and creates
 * `/queue/0000000001` (a name of digits only), and the digits count toward the length limit.
 */
export function validateCreatePath(path: unknown, mode: CreateMode, bytesMax: number = defaultPathBytesMax): PathCheck {
  if (typeof path !== 'string' || !isSequentialMode(mode)) return validatePath(path, bytesMax);
  const check = validatePath(path + '0'.repeat(sequenceDigits), bytesMax);
  return check.ok ? { ok: true, path } : check;
}

/** Whether a path is valid. */
export function isValidPath(path: unknown, bytesMax?: number): path is string {
  return validatePath(path, bytesMax).ok;
}

/** Throws `BadArgumentsError` unless the path is valid. */
export function assertValidPath(path: unknown, bytesMax?: number): asserts path is string {
  const check = validatePath(path, bytesMax);
  if (!check.ok) throw check.error;
}

/** The parent of a valid path; `null` for the root. */
export function parentOf(path: string): string | null {
  if (path === '/') return null;
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** The last segment of a valid path; the empty string for the root. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The segments of a valid path; none for the root. */
export function segmentsOf(path: string): string[] {
  return path === '/' ? [] : path.slice(1).split('/');
}

/**
 * Joins a parent path and relative names (`join('/a', 'b/c')` is `/a/b/c`). It does not
 * validate: check the result with {@link validatePath} when the parts come from outside.
 */
export function join(parent: string, ...names: string[]): string {
  let path = parent;
  for (const name of names) {
    if (name.length === 0) continue;
    path = path.endsWith('/') ? path + name : `${path}/${name}`;
  }
  return path;
}

/** Whether `path` is `ancestor` itself or lies below it (the scope of a recursive watch). */
export function isSelfOrDescendant(path: string, ancestor: string): boolean {
  if (ancestor === '/') return true;
  return path === ancestor || (path.startsWith(ancestor) && path.charCodeAt(ancestor.length) === 0x2f);
}

/**
 * The name a sequential create gives: the requested path followed by the parent's counter,
 * zero-padded to ten digits (`/locks/lock-0000000042`). Throws `BadArgumentsError` when the
 * counter is not an integer in [0, sequenceMax].
 */
export function sequentialPath(path: string, counter: number): string {
  if (!Number.isSafeInteger(counter) || counter < 0 || counter > sequenceMax) {
    throw new BadArgumentsError(`sequence counter out of range: ${counter}`, { path });
  }
  return path + String(counter).padStart(sequenceDigits, '0');
}

/**
 * The sequence number at the end of a sequential node's name or path, or `null` when it does
 * not end in ten digits. Recipes sort lock and queue nodes by it.
 */
export function sequenceOf(nameOrPath: string): number | null {
  if (nameOrPath.length < sequenceDigits) return null;
  const suffix = nameOrPath.slice(-sequenceDigits);
  for (let i = 0; i < suffix.length; i++) {
    const unit = suffix.charCodeAt(i);
    if (unit < 0x30 || unit > 0x39) return null;
  }
  return Number(suffix);
}
