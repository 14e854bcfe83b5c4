// Goal: the decoders refuse every kind of bad frame with a typed error (and the xid when it was
// readable), and the encoders refuse what the decoders would refuse.
// Method: hand-built bad frames (every truncation of every sample, trailing bytes, wrong version,
// unknown tags, overlong and oversized integers, bad UTF-8, bad booleans, bad paths, over-limit
// sizes) and bad messages given to the encoders.
import { describe, expect, it } from 'vitest';
import {
  BadArgumentsError,
  type DecodeResult,
  dataBytesMax,
  decodeRequest,
  decodeResponse,
  defaultLimits,
  encodeRequest,
  encodeResponse,
  frameBytesMax,
  isKeelError,
  multiOpsMax,
  type ProtocolLimits,
  protocolVersion,
  type Request,
  requestOps,
  serverMessageTypes,
  TooLargeError,
} from '../src';
import { requests, serverMessages, stat } from './fixtures';

const tagOf = (op: Request['op']) => requestOps.indexOf(op);

function expectFailure<T>(result: DecodeResult<T>, code: 'BadArguments' | 'TooLarge', pattern?: RegExp) {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe(code);
  expect(result.error.message).not.toMatch(/internal decoder error/);
  if (pattern) expect(result.error.message).toMatch(pattern);
}

describe('validation - frame level', () => {
  it.each([
    ['a string', 'hello'],
    ['a number', 42],
    ['null', null],
    ['an object', { op: 'ping', xid: 1 }],
    ['an array of bytes', [1, 3, 0]],
  ])('refuses %s', (_name, input) => {
    expectFailure(decodeRequest(input), 'BadArguments', /binary frame/);
    expectFailure(decodeResponse(input), 'BadArguments', /binary frame/);
  });

  it('refuses an empty frame, a wrong version and unknown tags', () => {
    expectFailure(decodeRequest(new Uint8Array()), 'BadArguments', /truncated/);
    expectFailure(decodeRequest(new Uint8Array([protocolVersion + 1, 3, 0])), 'BadArguments', /version/);
    expectFailure(decodeRequest(new Uint8Array([protocolVersion, requestOps.length, 0])), 'BadArguments', /tag/);
    expectFailure(decodeRequest(new Uint8Array([protocolVersion, 255, 0])), 'BadArguments', /tag/);
    expectFailure(decodeResponse(new Uint8Array([protocolVersion, serverMessageTypes.length, 0, 0])), 'BadArguments');
  });

  it('refuses a frame over the frame limit before reading it', () => {
    expectFailure(decodeRequest(new Uint8Array(frameBytesMax + 1)), 'TooLarge');
    const small: ProtocolLimits = { ...defaultLimits, frameBytesMax: 8 };
    const ping = encodeRequest({ op: 'ping', xid: 1 });
    expect(decodeRequest(ping, small).ok).toBe(true);
    expectFailure(decodeRequest(encodeRequest({ op: 'sync', xid: 1, path: '/abcdefgh' }), small), 'TooLarge');
  });

  it.each(requests)('refuses every truncation and a trailing byte of request %s', (_name, request) => {
    const frame = encodeRequest(request);
    for (let length = 0; length < frame.length; length++) {
      expectFailure(decodeRequest(frame.subarray(0, length)), 'BadArguments');
    }
    const longer = new Uint8Array(frame.length + 1);
    longer.set(frame);
    expectFailure(decodeRequest(longer), 'BadArguments', /trailing/);
  });

  it.each(serverMessages)('refuses every truncation and a trailing byte of member frame %s', (_name, message) => {
    const frame = encodeResponse(message);
    for (let length = 0; length < frame.length; length++) {
      expectFailure(decodeResponse(frame.subarray(0, length)), 'BadArguments');
    }
    const longer = new Uint8Array(frame.length + 1);
    longer.set(frame);
    expectFailure(decodeResponse(longer), 'BadArguments', /trailing/);
  });
});

describe('validation - fields', () => {
  const v = protocolVersion;
  const ping = tagOf('ping');

  it('reads canonical varints only, up to 2^53 - 1', () => {
    expect(decodeRequest(new Uint8Array([v, ping, 0x7f]))).toEqual({ ok: true, value: { op: 'ping', xid: 127 } });
    expect(decodeRequest(new Uint8Array([v, ping, 0x80, 0x01]))).toEqual({ ok: true, value: { op: 'ping', xid: 128 } });
    expectFailure(decodeRequest(new Uint8Array([v, ping, 0x80, 0x00])), 'BadArguments', /overlong/);
    expectFailure(
      decodeRequest(new Uint8Array([v, ping, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])),
      'BadArguments',
      /2\^53/,
    );
    expectFailure(
      decodeRequest(new Uint8Array([v, ping, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])),
      'BadArguments',
      /longer/,
    );
    const max = encodeRequest({ op: 'ping', xid: Number.MAX_SAFE_INTEGER });
    expect(decodeRequest(max)).toEqual({ ok: true, value: { op: 'ping', xid: Number.MAX_SAFE_INTEGER } });
  });

  it('names the xid when the failure comes after it', () => {
    // sync, xid 9, path of length 2 "ab" (not absolute)
    const result = decodeRequest(new Uint8Array([v, tagOf('sync'), 9, 2, 0x61, 0x62]));
    expectFailure(result, 'BadArguments', /must start with \//);
    expect(!result.ok && result.error.xid).toBe(9);
    const response = decodeResponse(new Uint8Array([v, serverMessageTypes.indexOf('sync'), 9, 1, 1, 0x61]));
    expect(!response.ok && response.error.xid).toBe(9);
  });

  it('refuses booleans other than 0 and 1', () => {
    expectFailure(decodeRequest(new Uint8Array([v, tagOf('connect'), 1, 10, 0, 2])), 'BadArguments', /boolean/);
  });

  it('refuses malformed UTF-8 and keeps a byte-order mark', () => {
    expectFailure(decodeRequest(new Uint8Array([v, tagOf('sync'), 1, 2, 0x2f, 0xff])), 'BadArguments', /UTF-8/);
    expectFailure(decodeRequest(new Uint8Array([v, tagOf('sync'), 1, 3, 0x2f, 0xc0, 0xaf])), 'BadArguments', /UTF-8/);
    // An encoded surrogate (U+D800 as ED A0 80) is not UTF-8.
    expectFailure(decodeRequest(new Uint8Array([v, tagOf('sync'), 1, 4, 0x2f, 0xed, 0xa0, 0x80])), 'BadArguments');
    const bom = decodeRequest(new Uint8Array([v, tagOf('sync'), 1, 4, 0x2f, 0xef, 0xbb, 0xbf]));
    expect(bom).toEqual({ ok: true, value: { op: 'sync', xid: 1, path: '/\ufeff' } });
  });

  it('refuses bad paths with BadArguments', () => {
    for (const path of ['/a/', '//', '/..', '/a\u0001', 'a']) {
      const bytes = new TextEncoder().encode(path);
      const frame = new Uint8Array([v, tagOf('sync'), 1, bytes.length, ...bytes]);
      expectFailure(decodeRequest(frame), 'BadArguments', /path/);
    }
  });

  it('refuses a lying length without allocating it', () => {
    // create, xid 1, path length 2^40
    expectFailure(
      decodeRequest(new Uint8Array([v, tagOf('create'), 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20])),
      'TooLarge',
    );
    // set "/a" with a data length of 100 but 1 byte present
    expectFailure(
      decodeRequest(new Uint8Array([v, tagOf('set'), 1, 2, 0x2f, 0x61, 100, 0])),
      'BadArguments',
      /truncated/,
    );
    // multi claiming 100 ops in a 4-byte body
    expectFailure(decodeRequest(new Uint8Array([v, tagOf('multi'), 1, 100, 0, 0])), 'BadArguments', /truncated/);
  });

  it('refuses data, multi and children over their limits with TooLarge', () => {
    const big = new Uint8Array(dataBytesMax + 1);
    const looser = { ...defaultLimits, dataBytesMax: dataBytesMax + 1 };
    const frame = encodeRequest({ op: 'set', xid: 1, path: '/a', data: big }, looser);
    expectFailure(decodeRequest(frame), 'TooLarge', /data/);
    expect(decodeRequest(frame, looser).ok).toBe(true);

    const ops = Array.from({ length: multiOpsMax + 1 }, () => ({ op: 'delete' as const, path: '/a' }));
    const multi = encodeRequest({ op: 'multi', xid: 1, ops }, { ...defaultLimits, multiOpsMax: multiOpsMax + 1 });
    expectFailure(decodeRequest(multi), 'TooLarge', /ops/);

    const children = encodeResponse({
      type: 'children',
      xid: 1,
      revision: 1,
      children: ['a', 'b', 'c'],
      stat,
    });
    expectFailure(decodeResponse(children, { ...defaultLimits, childrenMax: 2 }), 'TooLarge', /children/);
  });

  it('enforces the TTL rules of create', () => {
    const frame = (mode: number, ttl: number[]) =>
      new Uint8Array([v, tagOf('create'), 1, 2, 0x2f, 0x61, 0, mode, ...ttl]);
    expect(decodeRequest(frame(5, [1, 10])).ok).toBe(true);
    expectFailure(decodeRequest(frame(5, [0])), 'BadArguments', /ttl/);
    expectFailure(decodeRequest(frame(5, [1, 0])), 'BadArguments', /ttl/);
    expectFailure(decodeRequest(frame(0, [1, 10])), 'BadArguments', /ttl/);
    expectFailure(decodeRequest(frame(7, [0])), 'BadArguments', /mode/);
  });

  it('reads the turn watch of a create only as a trailing true, and only for sequential modes', () => {
    // create xid 1, path "/a-", no data, mode 3 (ephemeral_sequential), no TTL, then the flag.
    const frame = (mode: number, ...flag: number[]) =>
      new Uint8Array([v, tagOf('create'), 1, 3, 0x2f, 0x61, 0x2d, 0, mode, 0, ...flag]);
    expect(decodeRequest(frame(3))).toMatchObject({ ok: true, value: { op: 'create', path: '/a-' } });
    expect(decodeRequest(frame(3))).not.toMatchObject({ value: { watchTurn: expect.anything() } });
    expect(decodeRequest(frame(3, 1))).toMatchObject({ ok: true, value: { watchTurn: true } });
    const request = {
      op: 'create',
      xid: 4,
      path: '/lock/n-',
      data: new Uint8Array([5]),
      mode: 'ephemeral_sequential',
    } as const;
    const flagged = encodeRequest({ ...request, watchTurn: true });
    expect(decodeRequest(flagged)).toEqual({ ok: true, value: { ...request, watchTurn: true } });
    // An optional trailing field: the frame without it is the plain create, byte for byte (what
    // an older member reads); WebSocket never cuts a frame, and every shorter cut is refused.
    expect(flagged.subarray(0, flagged.length - 1)).toEqual(encodeRequest(request));
    for (let length = 0; length < flagged.length - 1; length++) {
      expectFailure(decodeRequest(flagged.subarray(0, length)), 'BadArguments');
    }
    expectFailure(decodeRequest(frame(3, 0)), 'BadArguments', /watchTurn/);
    expectFailure(decodeRequest(frame(1, 1)), 'BadArguments', /sequential/);
    expectFailure(decodeRequest(frame(3, 1, 1)), 'BadArguments', /trailing/);
    expect(() =>
      encodeRequest({ op: 'create', xid: 1, path: '/a', data: new Uint8Array(), mode: 'persistent', watchTurn: true }),
    ).toThrow(/sequential/);
  });

  it('reads an unknown error code as Internal, naming it', () => {
    const code = new TextEncoder().encode('QuotaExceeded');
    const frame = new Uint8Array([
      v,
      serverMessageTypes.indexOf('error'),
      3,
      4,
      code.length,
      ...code,
      2,
      0x68,
      0x69,
      0,
    ]);
    expect(decodeResponse(frame)).toEqual({
      ok: true,
      value: {
        type: 'error',
        xid: 3,
        revision: 4,
        code: 'Internal',
        message: 'unknown error code "QuotaExceeded": hi',
      },
    });
  });

  it('refuses child names that are not one path segment', () => {
    for (const name of ['', 'a/b', '.', '..', 'x\u0000']) {
      const bytes = new TextEncoder().encode(name);
      const frame = new Uint8Array([
        v,
        serverMessageTypes.indexOf('children'),
        1,
        1,
        1,
        bytes.length,
        ...bytes,
        ...new Array(11).fill(0),
      ]);
      expectFailure(decodeResponse(frame), 'BadArguments', /child name/);
    }
  });
});

describe('validation - encoders', () => {
  const expectThrow = (fn: () => unknown, ErrorClass: typeof BadArgumentsError | typeof TooLargeError) => {
    let thrown: unknown;
    try {
      fn();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ErrorClass);
    expect(isKeelError(thrown)).toBe(true);
  };

  it('refuses bad values with typed errors', () => {
    expectThrow(() => encodeRequest({ op: 'ping', xid: -1 }), BadArgumentsError);
    expectThrow(() => encodeRequest({ op: 'ping', xid: 1.5 }), BadArgumentsError);
    expectThrow(() => encodeRequest({ op: 'ping', xid: 2 ** 53 }), BadArgumentsError);
    expectThrow(() => encodeRequest({ op: 'sync', xid: 1, path: '/a/' }), BadArgumentsError);
    expectThrow(() => encodeRequest({ op: 'nope', xid: 1 } as unknown as Request), BadArgumentsError);
    expectThrow(
      () => encodeRequest({ op: 'create', xid: 1, path: '/a', data: new Uint8Array(), mode: 'persistent_ttl' }),
      BadArgumentsError,
    );
    expectThrow(
      () => encodeRequest({ op: 'create', xid: 1, path: '/a', data: new Uint8Array(), mode: 'persistent', ttlMs: 5 }),
      BadArgumentsError,
    );
    expectThrow(() => encodeRequest({ op: 'promote', xid: 1, memberId: '' }), BadArgumentsError);
    expectThrow(() => encodeRequest({ op: 'promote', xid: 1, memberId: 'n\ud800' }), BadArgumentsError);
    expectThrow(
      () => encodeResponse({ type: 'error', xid: 1, revision: 1, code: 'Nope' as 'Internal', message: '' }),
      BadArgumentsError,
    );
  });

  it('refuses over-limit values with TooLarge', () => {
    expectThrow(
      () => encodeRequest({ op: 'set', xid: 1, path: '/a', data: new Uint8Array(dataBytesMax + 1) }),
      TooLargeError,
    );
    expectThrow(
      () => encodeRequest({ op: 'sync', xid: 1, path: '/abc' }, { ...defaultLimits, frameBytesMax: 4 }),
      TooLargeError,
    );
    const ops = Array.from({ length: multiOpsMax + 1 }, () => ({ op: 'delete' as const, path: '/a' }));
    expectThrow(() => encodeRequest({ op: 'multi', xid: 1, ops }), TooLargeError);
  });

  it('fills a frame exactly up to the frame limit', () => {
    const frame = encodeRequest({ op: 'sync', xid: 1, path: '/abc' });
    expect(
      encodeRequest({ op: 'sync', xid: 1, path: '/abc' }, { ...defaultLimits, frameBytesMax: frame.length }),
    ).toEqual(frame);
  });
});
