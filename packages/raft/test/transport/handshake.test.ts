/**
 * Goal: the handshake's pieces are sound on their own: frames round-trip, parsers answer
 * null (never throw) to any garbage, proofs depend on the secret, the role, both nonces and
 * both ids, and reconnect delays grow, stay capped and are jittered.
 * Method: table checks and seeded random inputs; no sockets.
 */
import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from '../../src/transport/backoff';
import {
  decodeAuth,
  decodeHello,
  decodeWelcome,
  encodeAuth,
  encodeHello,
  encodeWelcome,
  newNonce,
  proof,
  proofsEqual,
} from '../../src/transport/handshake';
import { Gen, seededRandom } from '../codec/arbitrary';

const key = new Uint8Array(Buffer.from('secret'));

describe('handshake - frames', () => {
  it('round-trip', () => {
    const serverNonce = newNonce();
    const clientNonce = newNonce();
    expect(decodeHello(encodeHello({ serverNonce, serverId: 'n1' }))).toEqual({ serverNonce, serverId: 'n1' });
    const auth = { clientNonce, clientId: 'n2', serverId: 'n1', proof: newNonce() };
    expect(decodeAuth(encodeAuth(auth))).toEqual(auth);
    expect(decodeWelcome(encodeWelcome(auth.proof))).toEqual(auth.proof);
  });

  it('parsers answer null to garbage, truncations and wrong tags', () => {
    const gen = new Gen(seededRandom(7));
    const valid = [
      encodeHello({ serverNonce: newNonce(), serverId: 'n1' }),
      encodeAuth({ clientNonce: newNonce(), clientId: 'n2', serverId: 'n1', proof: newNonce() }),
      encodeWelcome(newNonce()),
    ];
    for (let i = 0; i < 3000; i++) {
      const base = gen.pick(valid);
      const input = gen.bool() ? base.subarray(0, gen.int(base.length)) : gen.bytes(120);
      for (const parse of [decodeHello, decodeAuth, decodeWelcome]) {
        expect(() => parse(input)).not.toThrow();
      }
    }
    for (const [i, frame] of valid.entries()) {
      expect(decodeHello(frame) !== null).toBe(i === 0);
      expect(decodeAuth(frame) !== null).toBe(i === 1);
      expect(decodeWelcome(frame) !== null).toBe(i === 2);
      expect(decodeAuth(Uint8Array.from([...frame, 0]))).toBeNull();
    }
  });
});

describe('handshake - proofs', () => {
  const input = { serverNonce: newNonce(), clientNonce: newNonce(), clientId: 'n2', serverId: 'n1' };
  const reference = proof(key, 'client', input);

  it.each([
    ['secret', () => proof(new Uint8Array(Buffer.from('secreT')), 'client', input)],
    ['role', () => proof(key, 'server', input)],
    ['server nonce', () => proof(key, 'client', { ...input, serverNonce: newNonce() })],
    ['client nonce', () => proof(key, 'client', { ...input, clientNonce: newNonce() })],
    ['client id', () => proof(key, 'client', { ...input, clientId: 'n3' })],
    ['server id', () => proof(key, 'client', { ...input, serverId: 'n4' })],
    ['id boundary', () => proof(key, 'client', { ...input, clientId: 'n2n', serverId: '1' })],
  ])('changes with the %s', (_name, other) => {
    expect(proofsEqual(reference, other())).toBe(false);
  });

  it('is stable for the same inputs', () => {
    expect(proofsEqual(reference, proof(key, 'client', input))).toBe(true);
    expect(proofsEqual(reference, reference.subarray(1))).toBe(false);
  });
});

describe('transport - reconnect delay', () => {
  it('doubles per attempt, is capped, and jitters within [cap / 2, cap]', () => {
    const low = () => 0;
    const high = () => 1;
    expect([1, 2, 3, 4, 5, 6].map((n) => reconnectDelayMs(n, 50, 1000, high))).toEqual([50, 100, 200, 400, 800, 1000]);
    expect([1, 2, 3, 50].map((n) => reconnectDelayMs(n, 50, 1000, low))).toEqual([25, 50, 100, 500]);
    expect(reconnectDelayMs(10_000, 50, 1000, high)).toBe(1000);
  });
});
