// Goal: every request op and every member frame type survives encode -> decode unchanged, and
// the tables cover all of them (a new op without a sample fails here).
// Method: table of samples from fixtures.ts; deep equality after a round trip; coverage checked
// against the wire-tag lists; type-level checks of the request/response mapping.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type ConnectedResponse,
  type CreateRequest,
  type CreateResponse,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type GetRequest,
  type GetResponse,
  protocolVersion,
  type RequestOp,
  type ResponseByOp,
  type ResponseFor,
  type ResumeRequest,
  requestOps,
  type ServerMessageType,
  serverMessageTypes,
} from '../src';
import { requests, serverMessages } from './fixtures';

describe('round trip - requests', () => {
  it.each(requests)('%s', (_name, request) => {
    const frame = encodeRequest(request);
    expect(frame[0]).toBe(protocolVersion);
    const decoded = decodeRequest(frame);
    expect(decoded).toEqual({ ok: true, value: request });
    // Canonical: re-encoding what was decoded gives the same bytes.
    if (decoded.ok) expect(encodeRequest(decoded.value)).toEqual(frame);
  });

  it('a sequential create of a path ending in a slash round-trips; a plain one is refused both ways', () => {
    const request = {
      op: 'create',
      xid: 3,
      path: '/queue/',
      data: new Uint8Array(0),
      mode: 'persistent_sequential',
    } as const;
    const frame = encodeRequest(request);
    expect(decodeRequest(frame)).toEqual({ ok: true, value: request });
    expect(() => encodeRequest({ ...request, mode: 'persistent' })).toThrow(/must not end with/);
    // The same frame with the mode byte changed to persistent's (0), which comes after the path.
    const plain = Uint8Array.from(frame);
    plain[frame.length - 2] = 0;
    expect(decodeRequest(plain)).toMatchObject({
      ok: false,
      error: { code: 'BadArguments', message: expect.stringMatching(/must not end with/) },
    });
  });

  it('covers every request op', () => {
    expect(new Set(requests.map(([, request]) => request.op))).toEqual(new Set(requestOps));
  });

  it('accepts an ArrayBuffer and a Uint8Array view at an offset', () => {
    const [, request] = requests[4]!;
    const frame = encodeRequest(request);
    expect(decodeRequest(frame.slice().buffer)).toEqual({ ok: true, value: request });
    const padded = new Uint8Array(frame.length + 10);
    padded.set(frame, 5);
    expect(decodeRequest(padded.subarray(5, 5 + frame.length))).toEqual({ ok: true, value: request });
  });

  it('copies data out of the frame', () => {
    const request = { op: 'set', xid: 1, path: '/a', data: new Uint8Array([1, 2, 3]) } as const;
    const frame = encodeRequest(request);
    const decoded = decodeRequest(frame);
    frame.fill(0);
    expect(decoded.ok && decoded.value.op === 'set' && [...decoded.value.data]).toEqual([1, 2, 3]);
  });
});

describe('round trip - member frames', () => {
  it.each(serverMessages)('%s', (_name, message) => {
    const frame = encodeResponse(message);
    const decoded = decodeResponse(frame);
    expect(decoded).toEqual({ ok: true, value: message });
    if (decoded.ok) expect(encodeResponse(decoded.value)).toEqual(frame);
  });

  it('covers every member frame type and watch event', () => {
    expect(new Set(serverMessages.map(([, message]) => message.type))).toEqual(new Set(serverMessageTypes));
    const events = serverMessages.flatMap(([, message]) => (message.type === 'watch' ? [message.event] : []));
    expect(new Set(events)).toEqual(
      new Set(['created', 'deleted', 'dataChanged', 'childrenChanged', 'resyncNeeded', 'turn']),
    );
  });
});

describe('types', () => {
  it('maps each request to its response', () => {
    expectTypeOf<ResponseFor<CreateRequest>>().toEqualTypeOf<CreateResponse>();
    expectTypeOf<ResponseFor<GetRequest>>().toEqualTypeOf<GetResponse>();
    expectTypeOf<ResponseFor<ResumeRequest>>().toEqualTypeOf<ConnectedResponse>();
    expectTypeOf<keyof ResponseByOp>().toEqualTypeOf<RequestOp>();
  });

  it('lists every op and frame type', () => {
    expectTypeOf<(typeof requestOps)[number]>().toEqualTypeOf<RequestOp>();
    expectTypeOf<(typeof serverMessageTypes)[number]>().toEqualTypeOf<ServerMessageType>();
  });
});
