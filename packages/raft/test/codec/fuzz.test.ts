/**
 * Goal: no input, however broken, makes the decoder do anything but return a valid batch or
 * throw CodecError(BAD_FRAME): no other exception, no hang, no partial result.
 * Method: 24,000 frames from a seeded PRNG: valid frames mutated by bit flips, byte
 * overwrites, truncations, insertions, deletions, splices and huge varint lengths, plus
 * pure random bytes. Every accepted frame must re-encode to exactly the same bytes (the
 * format is canonical, so this proves the decoded batch is valid and complete). A failure
 * prints the seed and iteration to replay.
 */
import { describe, expect, it } from 'vitest';
import { CodecError, decodeBatch, encodeBatch } from '../../src/codec';
import { Gen, seededRandom } from './arbitrary';

const seed = Number(process.env.KEEL_FUZZ_SEED ?? 0xc0dec);
const iterations = 24_000;

/** LEB128 bytes of a huge length, to be written over a length field. */
const hugeVarints = [
  [0xff, 0xff, 0xff, 0xff, 0x0f],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
  [0xff, 0xff, 0x03],
];

function mutate(gen: Gen, valid: Uint8Array, other: Uint8Array): Uint8Array {
  const bytes = Uint8Array.from(valid);
  switch (gen.int(8)) {
    case 0: {
      const flips = 1 + gen.int(4);
      for (let i = 0; i < flips; i++) {
        const at = gen.int(bytes.length);
        bytes[at] = bytes[at]! ^ (1 << gen.int(8));
      }
      return bytes;
    }
    case 1: {
      const at = gen.int(bytes.length);
      bytes[at] = gen.int(256);
      return bytes;
    }
    case 2:
      return bytes.subarray(0, gen.int(bytes.length));
    case 3: {
      const at = gen.int(bytes.length + 1);
      const inserted = gen.bytes(4);
      return Uint8Array.from([...bytes.subarray(0, at), ...inserted, ...bytes.subarray(at)]);
    }
    case 4: {
      const at = gen.int(bytes.length);
      return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + 1 + gen.int(3))]);
    }
    case 5: {
      const cut = gen.int(bytes.length);
      return Uint8Array.from([...bytes.subarray(0, cut), ...other.subarray(gen.int(other.length))]);
    }
    case 6: {
      const at = gen.int(bytes.length);
      const huge = gen.pick(hugeVarints);
      return Uint8Array.from([...bytes.subarray(0, at), ...huge, ...bytes.subarray(at + huge.length)]);
    }
    default: {
      const random = gen.bytes(64);
      // Half the time keep a plausible header so the fuzzer gets past the first checks.
      if (gen.bool() && random.length > 2) {
        random[0] = 1;
        random[1] = 1 + gen.int(3);
      }
      return random;
    }
  }
}

describe('codec - fuzz', () => {
  it(`${iterations} mutated and random frames decode validly or throw CodecError (seed ${seed})`, () => {
    const gen = new Gen(seededRandom(seed));
    const corpus = Array.from({ length: 64 }, () => encodeBatch(gen.batch(4)));
    let accepted = 0;
    let rejected = 0;
    const reasons = new Set<string>();
    for (let i = 0; i < iterations; i++) {
      const input = mutate(gen, gen.pick(corpus), gen.pick(corpus));
      let messages: ReturnType<typeof decodeBatch> | undefined;
      try {
        messages = decodeBatch(input);
      } catch (error) {
        if (!(error instanceof CodecError) || error.code !== 'BAD_FRAME') {
          throw new Error(`seed ${seed} iteration ${i}: unexpected ${String(error)}`, { cause: error });
        }
        rejected++;
        reasons.add(error.reason.replace(/\d+/g, 'N'));
        continue;
      }
      accepted++;
      const again = encodeBatch(messages);
      expect(Buffer.from(again).equals(Buffer.from(input)), `seed ${seed} iteration ${i}: not canonical`).toBe(true);
    }
    // Both outcomes must occur, or the mutations are not exercising the decoder.
    expect(accepted).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(iterations / 2);
    expect(reasons.size).toBeGreaterThan(10);
  });
});
