/**
 * Goal: create, set and delete are written in the binary layout, commands written as JSON
 * before it existed (logs on disk) still decode to the same commands, and a damaged binary
 * payload becomes a typed error result, never a throw or a state change.
 * Method: encode and inspect the first byte; decode hand-built v1 JSON payloads and compare
 * with the binary round trip; cut a valid payload at every length and corrupt single fields,
 * feeding each to `decodeCommand` and through `apply`.
 */

import { isDeepStrictEqual } from 'node:util';
import { dataBytesMax } from '@keel/protocol';
import { EntryType } from '@keel/raft';
import { describe, expect, it } from 'vitest';
import { type Command, CoordinationStateMachine, decodeCommand, encodeCommand } from '../../src';
import { binaryCommandTag } from '../../src/state/command-binary';
import { bytes, stateWithoutRevision } from './harness';

const writes: Command[] = [
  { type: 'create', sessionId: 's', time: 1, path: '/a', data: bytes('x'), mode: 'persistent' },
  {
    type: 'create',
    sessionId: null,
    time: 1_700_000_000_000,
    path: '/t-é',
    data: new Uint8Array([0, 255]),
    mode: 'persistent_sequential_ttl',
    ttlMs: 9,
    requestId: 'k1.abc.7',
    owner: 'conn-1',
    sequence: 2 ** 40,
  },
  { type: 'set', sessionId: 's', time: 3, path: '/a', data: new Uint8Array(0), expectedVersion: -1 },
  { type: 'set', sessionId: null, time: 3, path: '/a', data: bytes('y'.repeat(1024)), expectedVersion: 2 ** 31 - 1 },
  { type: 'delete', sessionId: 's', time: 2, path: '/a', expectedVersion: 0, owner: 'c', sequence: 1 },
  { type: 'delete', sessionId: null, time: 2, path: '/a' },
];

/** How the same command was written before the binary layout (UTF-8 JSON, data as base64). */
function legacyJson(command: Command): Uint8Array {
  const body = 'data' in command ? { ...command, data: Buffer.from(command.data).toString('base64') } : command;
  return bytes(JSON.stringify({ v: 1, c: body }));
}

function applyRaw(payload: Uint8Array) {
  const machine = new CoordinationStateMachine();
  const before = stateWithoutRevision(machine);
  const outcome = machine.apply({ term: 1, index: 1, type: EntryType.Normal, data: payload });
  const unchanged = machine.appliedRevision === 1 && isDeepStrictEqual(stateWithoutRevision(machine), before);
  return { outcome, unchanged };
}

describe('binary commands', () => {
  for (const command of writes) {
    it(`${command.type} ${JSON.stringify(Object.keys(command))}: binary, and equal to its JSON form`, () => {
      const payload = encodeCommand(command);
      expect(payload[0]).toBe(binaryCommandTag);
      expect(decodeCommand(payload)).toEqual({ ok: true, command });
      expect(decodeCommand(legacyJson(command))).toEqual({ ok: true, command });
    });
  }

  it('the other commands stay JSON', () => {
    expect(encodeCommand({ type: 'sweep', time: 1 })[0]).toBe('{'.charCodeAt(0));
  });

  it('applied data is a copy: the entry payload may be reused', () => {
    const machine = new CoordinationStateMachine();
    const small = encodeCommand({
      type: 'create',
      sessionId: null,
      time: 1,
      path: '/a',
      data: bytes('abc'),
      mode: 'persistent',
    });
    const large = encodeCommand({ type: 'set', sessionId: null, time: 2, path: '/a', data: bytes('z'.repeat(5_000)) });
    machine.apply({ index: 1, term: 1, type: EntryType.Normal, data: small });
    small.fill(0);
    expect(new TextDecoder().decode(machine.get('/a')?.data)).toBe('abc');
    machine.apply({ index: 2, term: 1, type: EntryType.Normal, data: large });
    large.fill(0);
    expect(new TextDecoder().decode(machine.get('/a')?.data)).toBe('z'.repeat(5_000));
  });

  it('values the layout cannot hold fall back to JSON and its typed refusal', () => {
    expect(() =>
      encodeCommand({ type: 'delete', sessionId: null, time: 1, path: '/a', expectedVersion: 2 ** 31 }),
    ).toThrow(/invalid command/);
  });

  it('a payload cut at any length is a BadArguments result, and apply changes nothing', () => {
    const payload = encodeCommand(writes[1] as Command);
    for (let length = 1; length < payload.byteLength; length++) {
      const cut = payload.subarray(0, length);
      expect(decodeCommand(cut), `cut at ${length}`).toMatchObject({ ok: false, code: 'BadArguments' });
      const { outcome, unchanged } = applyRaw(cut);
      expect(outcome.result).toMatchObject({ type: 'error', code: 'BadArguments' });
      expect(unchanged).toBe(true);
    }
  });

  const base = (): Buffer =>
    Buffer.from(
      encodeCommand({ type: 'create', sessionId: 's', time: 1, path: '/a', data: bytes('x'), mode: 'persistent' }),
    );
  // Offsets in `base()`: 0 tag, 1 type, 2 flags, 3-10 time, 11-12 + 13 sessionId, 14-15 + 16-17 path, 18 mode.
  const withByte = (offset: number, value: number): Buffer => {
    const payload = base();
    payload[offset] = value;
    return payload;
  };
  const withTime = (time: number): Buffer => {
    const payload = base();
    payload.writeDoubleLE(time, 3);
    return payload;
  };
  const setHeader = Buffer.from(
    encodeCommand({ type: 'set', sessionId: null, time: 1, path: '/a', data: new Uint8Array(0) }),
  );
  const hugeLength = Buffer.alloc(4);
  hugeLength.writeUInt32LE(dataBytesMax + 1);
  const cases: { name: string; payload: Uint8Array; code: 'BadArguments' | 'TooLarge' }[] = [
    { name: 'unknown type', payload: withByte(1, 9), code: 'BadArguments' },
    { name: 'unknown flag', payload: withByte(2, 1 | 128), code: 'BadArguments' },
    { name: 'a create with an expected version', payload: withByte(2, 1 | 16), code: 'BadArguments' },
    { name: 'fractional time', payload: withTime(1.5), code: 'BadArguments' },
    { name: 'negative time', payload: withTime(-1), code: 'BadArguments' },
    {
      name: 'empty session id',
      payload: Buffer.concat([base().subarray(0, 11), Buffer.from([0, 0]), base().subarray(14)]),
      code: 'BadArguments',
    },
    { name: 'session id not UTF-8', payload: withByte(13, 0xff), code: 'BadArguments' },
    { name: 'unknown mode', payload: withByte(18, 7), code: 'BadArguments' },
    { name: 'bytes after the end', payload: Buffer.concat([base(), Buffer.from([0])]), code: 'BadArguments' },
    {
      name: 'data over the limit',
      payload: Buffer.concat([setHeader.subarray(0, -4), hugeLength, Buffer.alloc(dataBytesMax + 1)]),
      code: 'TooLarge',
    },
  ];

  for (const { name, payload, code } of cases) {
    it(`${name}: ${code}, and apply changes nothing`, () => {
      expect(decodeCommand(payload)).toMatchObject({ ok: false, code });
      const { outcome, unchanged } = applyRaw(payload);
      expect(outcome.result).toMatchObject({ type: 'error', code });
      expect(unchanged).toBe(true);
    });
  }
});
