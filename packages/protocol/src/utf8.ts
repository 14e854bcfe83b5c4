/**
 * UTF-8 helpers on the platform's TextEncoder/TextDecoder, which Node and every browser have.
 * They are reached through `globalThis` so this package needs neither the DOM nor the Node type
 * declarations, and leaks no global declarations into its users' builds.
 */

interface Utf8Encoder {
  encode(text: string): Uint8Array;
}
interface Utf8Decoder {
  decode(bytes: Uint8Array): string;
}
interface TextCodecGlobals {
  readonly TextEncoder: new () => Utf8Encoder;
  readonly TextDecoder: new (label: string, options: { fatal: boolean; ignoreBOM: boolean }) => Utf8Decoder;
}

const platform = globalThis as unknown as TextCodecGlobals;
const encoder = new platform.TextEncoder();
// fatal: malformed input is an error, never silently replaced; ignoreBOM keeps a leading U+FEFF.
const decoder = new platform.TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Encodes a string as UTF-8. Callers check {@link isWellFormed} first: lone surrogates would become U+FFFD. */
export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8 strictly; returns undefined for malformed input. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Whether a string has no lone surrogates, so it survives a UTF-8 round trip unchanged. */
export function isWellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** The UTF-8 length of a well-formed string, without encoding it. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      // A surrogate pair is one code point of four bytes.
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
