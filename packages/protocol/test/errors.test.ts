// Goal: every error code has its own class with a stable name, wire errors turn into those
// classes, and the guard recognises Keel errors (also from another copy of the package).
// Method: iterate over every code; compare class, name, code, message, path and cause.
import { describe, expect, it } from 'vitest';
import {
  BadVersionError,
  ErrorCode,
  errorClasses,
  errorCodes,
  errorFromWire,
  errorToWire,
  InternalError,
  isErrorCode,
  isKeelError,
  KeelError,
  keelError,
  NoNodeError,
  retryableCodes,
} from '../src';

describe('errors - codes', () => {
  it('has the DESIGN §3 codes and the protocol codes', () => {
    expect(errorCodes).toEqual([
      'NoNode',
      'NodeExists',
      'BadVersion',
      'NotEmpty',
      'NoChildrenForEphemerals',
      'BadArguments',
      'SessionExpired',
      'ConnectionLoss',
      'NotReadOnly',
      'Unauthorized',
      'TooLarge',
      'Throttled',
      'Internal',
      'NotLeader',
      'SessionMoved',
      'NoWatcher',
      'Unimplemented',
      'Timeout',
      'Aborted',
      'Closed',
    ]);
    for (const code of errorCodes) expect(ErrorCode[code]).toBe(code);
  });

  it('recognises codes and refuses other values', () => {
    expect(isErrorCode('NoNode')).toBe(true);
    for (const value of ['nonode', 'toString', '__proto__', '', 1, null, undefined]) {
      expect(isErrorCode(value)).toBe(false);
    }
  });

  it('marks the transient codes retryable', () => {
    expect([...retryableCodes].sort()).toEqual(['ConnectionLoss', 'NotLeader', 'Throttled', 'Timeout']);
  });
});

describe('errors - errorFromWire', () => {
  it.each(errorCodes.map((code) => [code]))('maps %s to its class', (code) => {
    const error = errorFromWire({ code, message: `failed with ${code}`, path: '/x/y' });
    expect(error).toBeInstanceOf(errorClasses[code]);
    expect(error).toBeInstanceOf(KeelError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(`${code}Error`);
    expect(error.code).toBe(code);
    expect(error.message).toBe(`failed with ${code}`);
    expect(error.path).toBe('/x/y');
    expect(isKeelError(error)).toBe(true);
    expect(isKeelError(error, code)).toBe(true);
    expect(error.toWire()).toEqual({ code, message: `failed with ${code}`, path: '/x/y' });
  });

  it('gives every class a distinct name', () => {
    const names = errorCodes.map((code) => new errorClasses[code]().name);
    expect(new Set(names).size).toBe(errorCodes.length);
  });

  it('omits the path when the wire error has none', () => {
    const error = errorFromWire({ code: 'NoNode', message: 'gone' });
    expect(error).toBeInstanceOf(NoNodeError);
    expect('path' in error).toBe(false);
    expect(error.toWire()).toEqual({ code: 'NoNode', message: 'gone' });
  });

  it('turns an unknown code into Internal naming the code', () => {
    const error = errorFromWire({ code: 'QuotaExceeded', message: 'over quota' });
    expect(error).toBeInstanceOf(InternalError);
    expect(error.message).toBe('unknown error code "QuotaExceeded": over quota');
  });
});

describe('errors - classes and guard', () => {
  it('keeps a cause and has default messages', () => {
    const cause = new Error('disk');
    const error = new BadVersionError(undefined, { cause, path: '/a' });
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('the node version does not match the expected version');
    expect(keelError('BadVersion', 'm')).toBeInstanceOf(BadVersionError);
  });

  it('does not take plain errors or look-alikes for Keel errors', () => {
    expect(isKeelError(new Error('x'))).toBe(false);
    expect(isKeelError({ code: 'NoNode', name: 'NoNodeError' })).toBe(false);
    expect(isKeelError(null)).toBe(false);
    expect(isKeelError(new NoNodeError(), 'NodeExists')).toBe(false);
  });

  it('recognises an error branded by another copy of the package', () => {
    const foreign = Object.assign(new Error('x'), { code: 'NoNode' });
    Object.defineProperty(foreign, Symbol.for('keel.KeelError'), { value: true });
    expect(isKeelError(foreign, 'NoNode')).toBe(true);
  });

  it('hides details of non-Keel errors on the wire', () => {
    expect(errorToWire(new TypeError('secret internals'))).toEqual({ code: 'Internal', message: 'internal error' });
    expect(errorToWire(new NoNodeError('no /a', { path: '/a' }))).toEqual({
      code: 'NoNode',
      message: 'no /a',
      path: '/a',
    });
  });
});
