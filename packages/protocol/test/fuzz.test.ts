// Goal: no input makes a decoder throw; each frame decodes to a valid message or to a typed
// error, and every accepted frame re-encodes to a frame that decodes to the same message.
// Method: 20,000 frames from a seeded PRNG (random bytes, and sample frames with random
// mutations: bit flips, byte writes, inserts, deletes, truncation, splices), each given to both
// decoders. Replay a failure with KEEL_FUZZ_SEED=<seed> (the seed is in every failure message).
import { describe, expect, it } from 'vitest';
import {
  type DecodeResult,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  protocolVersion,
  requestOps,
  serverMessageTypes,
} from '../src';
import { requests, serverMessages } from './fixtures';

const frameCount = 20_000;
const seed = Number(process.env.KEEL_FUZZ_SEED ?? 0x6b65656c);

/** mulberry32: a small, fast 32-bit generator that replays exactly from its seed. */
function prng(initial: number): () => number {
  let state = initial >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const samples = [
  ...requests.map(([, request]) => encodeRequest(request)),
  ...serverMessages.map(([, message]) => encodeResponse(message)),
];

function generate(random: () => number): Uint8Array {
  const int = (bound: number) => Math.floor(random() * bound);
  const byte = () => (random() < 0.3 ? [0, 1, 0x7f, 0x80, 0xff][int(5)]! : int(256));
  if (random() < 0.25) {
    const bytes = Array.from({ length: int(48) }, byte);
    // Mostly a valid header, so the body decoders are reached too.
    if (bytes.length >= 2 && random() < 0.8) {
      bytes[0] = protocolVersion;
      bytes[1] = int(Math.max(requestOps.length, serverMessageTypes.length) + 2);
    }
    return new Uint8Array(bytes);
  }
  let frame = [...samples[int(samples.length)]!];
  const mutations = 1 + int(4);
  for (let m = 0; m < mutations; m++) {
    const at = int(frame.length + 1);
    switch (int(6)) {
      case 0:
        if (at < frame.length) frame[at] = frame[at]! ^ (1 << int(8));
        break;
      case 1:
        if (at < frame.length) frame[at] = byte();
        break;
      case 2:
        frame.splice(at, 0, byte());
        break;
      case 3:
        frame.splice(at, 1 + int(3));
        break;
      case 4:
        frame = frame.slice(0, at);
        break;
      case 5: {
        const other = samples[int(samples.length)]!;
        const from = int(other.length);
        frame.splice(at, 0, ...other.slice(from, from + 1 + int(8)));
        break;
      }
    }
  }
  return new Uint8Array(frame);
}

function check<T>(
  label: string,
  frame: Uint8Array,
  decode: (input: unknown) => DecodeResult<T>,
  encode: (value: T) => Uint8Array,
): boolean {
  let result: DecodeResult<T>;
  try {
    result = decode(frame);
  } catch (error) {
    throw new Error(`${label}: decoder threw ${String(error)} on [${frame.join(',')}] (KEEL_FUZZ_SEED=${seed})`);
  }
  if (!result.ok) {
    const { code, message } = result.error;
    if ((code !== 'BadArguments' && code !== 'TooLarge') || message.includes('internal decoder error')) {
      throw new Error(`${label}: bad error ${code} ${message} on [${frame.join(',')}] (KEEL_FUZZ_SEED=${seed})`);
    }
    return false;
  }
  const encoded = encode(result.value);
  const context = `${label}: [${frame.join(',')}] (KEEL_FUZZ_SEED=${seed})`;
  expect(decode(encoded), `${context} re-encoded decodes differently`).toEqual(result);
  // The encoding is canonical, so an accepted frame re-encodes to the same bytes; the one
  // exception is an unknown error code, which decodes to Internal by design.
  if (!JSON.stringify(result.value).includes('unknown error code')) {
    expect([...encoded], `${context} is not canonical`).toEqual([...frame]);
  }
  return true;
}

describe('fuzz - decoders', () => {
  it(`decode ${frameCount} random and mutated frames without throwing (seed ${seed})`, () => {
    const random = prng(seed);
    let accepted = 0;
    // Counted so a generator that stops reaching the decoders' inner paths is noticed.
    let refused = 0;
    for (let i = 0; i < frameCount; i++) {
      const frame = generate(random);
      for (const ok of [
        check(`frame ${i} as request`, frame, decodeRequest, (value) => encodeRequest(value)),
        check(`frame ${i} as member frame`, frame, decodeResponse, (value) => encodeResponse(value)),
      ]) {
        if (ok) accepted++;
        else refused++;
      }
    }
    // Both outcomes must occur, or the generator is not exercising the decoders.
    expect(accepted).toBeGreaterThan(frameCount / 100);
    expect(refused).toBeGreaterThan(frameCount / 2);
  });
});
