/**
 * Little-endian u64 fields holding JavaScript safe integers (terms, indexes). Written as two
 * u32 halves to avoid BigInt on the hot path; a value beyond 2^53 - 1 read back from disk
 * cannot have been written by us, so the reader reports it instead of rounding it.
 */

const TWO_POW_32 = 2 ** 32;

export function writeUint53(target: Buffer, value: number, offset: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a non-negative safe integer: ${value}`);
  target.writeUInt32LE(value % TWO_POW_32, offset);
  target.writeUInt32LE(Math.floor(value / TWO_POW_32), offset + 4);
}

/** Returns the value, or -1 when the high half makes it unsafe (the caller reports corruption). */
export function readUint53(source: Buffer, offset: number): number {
  const low = source.readUInt32LE(offset);
  const high = source.readUInt32LE(offset + 4);
  if (high >= 2 ** 21) return -1;
  return high * TWO_POW_32 + low;
}
