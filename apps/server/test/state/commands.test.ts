/**
 * Goal: commands survive encoding unchanged, and a bad entry payload becomes a typed error
 * result (never a throw, never a state change), so one bad entry cannot stop a member.
 * Method: round-trip every command type; feed a table of malformed payloads both to
 * `decodeCommand` and through `apply`, and check the code and that the state did not change.
 */
import { EntryType } from '@keel/raft';
import { describe, expect, it } from 'vitest';
import { type Command, CoordinationStateMachine, commandBytesMax, decodeCommand, encodeCommand } from '../../src';
import { bytes, stateWithoutRevision } from './harness';

const commands: Command[] = [
  { type: 'create', sessionId: 's', time: 1, path: '/a', data: bytes('x'), mode: 'persistent' },
  {
    type: 'create',
    sessionId: null,
    time: 1,
    path: '/t-',
    data: new Uint8Array([0, 255]),
    mode: 'persistent_sequential_ttl',
    ttlMs: 9,
  },
  { type: 'delete', sessionId: 's', time: 2, path: '/a', expectedVersion: -1 },
  { type: 'delete', sessionId: null, time: 2, path: '/a' },
  { type: 'set', sessionId: null, time: 3, path: '/a', data: new Uint8Array(0), expectedVersion: 4 },
  {
    type: 'multi',
    sessionId: 's',
    time: 4,
    ops: [
      { op: 'check', path: '/a', expectedVersion: 1 },
      { op: 'create', path: '/b', data: bytes('b'), mode: 'ephemeral' },
      { op: 'set', path: '/a', data: bytes('z') },
      { op: 'delete', path: '/b', expectedVersion: 0 },
    ],
  },
  { type: 'createSession', sessionId: 's', secret: 'k', timeoutMs: 3000, time: 5 },
  { type: 'closeSession', sessionId: 's', reason: 'expired', time: 6 },
  { type: 'sweep', time: 7 },
  { type: 'touchSessions', sessionIds: ['s', 't'], time: 8 },
  { type: 'moveSession', sessionId: 's', owner: 'conn-2', time: 9, requestId: 'm.b.1' },
  { type: 'createSession', sessionId: 's', secret: 'k', timeoutMs: 3000, time: 5, owner: 'c', requestId: 'm.b.2' },
  {
    type: 'set',
    sessionId: 's',
    time: 10,
    path: '/a',
    data: bytes('y'),
    requestId: 'm.b.3',
    owner: 'conn-2',
    sequence: 7,
  },
  { type: 'closeSession', sessionId: 's', reason: 'closed', time: 11, owner: 'conn-2', sequence: 8 },
];

describe('commands - encoding', () => {
  for (const command of commands) {
    it(`round-trips ${command.type} ${Object.keys(command).length}`, () => {
      const decoded = decodeCommand(encodeCommand(command));
      expect(decoded).toEqual({ ok: true, command });
    });
  }

  it('refuses to encode a command it could not decode', () => {
    expect(() => encodeCommand({ type: 'sweep', time: -1 })).toThrow(/invalid command/);
  });
});

describe('commands - bad payloads', () => {
  const json = (value: unknown) => bytes(JSON.stringify(value));
  const cases: { name: string; payload: Uint8Array; code: 'BadArguments' | 'TooLarge' }[] = [
    { name: 'not JSON', payload: bytes('{oops'), code: 'BadArguments' },
    { name: 'invalid UTF-8', payload: new Uint8Array([0x7b, 0xff, 0x7d]), code: 'BadArguments' },
    { name: 'a JSON array', payload: json([1, 2]), code: 'BadArguments' },
    { name: 'unknown version', payload: json({ v: 99, c: { type: 'sweep', time: 1 } }), code: 'BadArguments' },
    { name: 'unknown type', payload: json({ v: 1, c: { type: 'explode' } }), code: 'BadArguments' },
    { name: 'missing time', payload: json({ v: 1, c: { type: 'sweep' } }), code: 'BadArguments' },
    { name: 'fractional time', payload: json({ v: 1, c: { type: 'sweep', time: 1.5 } }), code: 'BadArguments' },
    {
      name: 'unknown mode',
      payload: json({ v: 1, c: { type: 'create', sessionId: null, time: 1, path: '/a', data: '', mode: 'forever' } }),
      code: 'BadArguments',
    },
    {
      name: 'data not base64',
      payload: json({ v: 1, c: { type: 'set', sessionId: null, time: 1, path: '/a', data: '!!!!' } }),
      code: 'BadArguments',
    },
    {
      name: 'non-canonical base64',
      payload: json({ v: 1, c: { type: 'set', sessionId: null, time: 1, path: '/a', data: 'QR==' } }),
      code: 'BadArguments',
    },
    {
      name: 'sequence 0',
      payload: json({ v: 1, c: { type: 'delete', sessionId: 's', time: 1, path: '/a', owner: 'c', sequence: 0 } }),
      code: 'BadArguments',
    },
    {
      name: 'empty owner',
      payload: json({ v: 1, c: { type: 'moveSession', sessionId: 's', owner: '', time: 1 } }),
      code: 'BadArguments',
    },
    {
      name: 'too many touched sessions',
      payload: json({
        v: 1,
        c: { type: 'touchSessions', sessionIds: Array.from({ length: 1025 }, (_, i) => `s${i}`), time: 1 },
      }),
      code: 'TooLarge',
    },
    {
      name: 'version below -1',
      payload: json({ v: 1, c: { type: 'delete', sessionId: null, time: 1, path: '/a', expectedVersion: -2 } }),
      code: 'BadArguments',
    },
    {
      name: 'path not a string',
      payload: json({ v: 1, c: { type: 'delete', sessionId: null, time: 1, path: 7 } }),
      code: 'BadArguments',
    },
    {
      name: 'empty session id',
      payload: json({ v: 1, c: { type: 'closeSession', sessionId: '', reason: 'closed', time: 1 } }),
      code: 'BadArguments',
    },
    {
      name: 'multi ops not an array',
      payload: json({ v: 1, c: { type: 'multi', sessionId: null, time: 1, ops: {} } }),
      code: 'BadArguments',
    },
    {
      name: 'too many multi ops',
      payload: json({
        v: 1,
        c: {
          type: 'multi',
          sessionId: null,
          time: 1,
          ops: Array.from({ length: 200 }, () => ({ op: 'check', path: '/', expectedVersion: -1 })),
        },
      }),
      code: 'TooLarge',
    },
    {
      name: 'data over the limit',
      payload: json({ v: 1, c: { type: 'set', sessionId: null, time: 1, path: '/a', data: 'A'.repeat(1_500_000) } }),
      code: 'TooLarge',
    },
    { name: 'payload over the command limit', payload: new Uint8Array(commandBytesMax + 1), code: 'TooLarge' },
  ];

  for (const { name, payload, code } of cases) {
    it(`${name}: ${code}, and apply reports it without changing state`, () => {
      expect(decodeCommand(payload)).toMatchObject({ ok: false, code });
      const machine = new CoordinationStateMachine();
      const before = stateWithoutRevision(machine);
      const outcome = machine.apply({ term: 1, index: 1, type: EntryType.Normal, data: payload });
      expect(outcome).toMatchObject({ revision: 1, result: { type: 'error', code }, changes: [] });
      // Only the applied revision moved.
      expect(machine.appliedRevision).toBe(1);
      expect(stateWithoutRevision(machine)).toEqual(before);
    });
  }

  it('empty and configuration entries apply as no-ops', () => {
    const machine = new CoordinationStateMachine();
    expect(machine.apply({ term: 1, index: 1, type: EntryType.Normal, data: new Uint8Array(0) }).result).toEqual({
      type: 'none',
    });
    expect(machine.apply({ term: 1, index: 2, type: EntryType.Config, data: bytes('garbage') }).result).toEqual({
      type: 'none',
    });
    expect(machine.appliedRevision).toBe(2);
  });
});
