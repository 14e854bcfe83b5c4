/**
 * Node data as the client accepts and returns it: bytes, or a string sent as UTF-8.
 */

/** Data the client accepts: bytes as they are, or a string encoded as UTF-8. */
export type NodeData = Uint8Array | string;

interface TextCodecGlobals {
  readonly TextEncoder: new () => { encode(text: string): Uint8Array };
  readonly TextDecoder: new (label: string) => { decode(bytes: Uint8Array): string };
}

// Reached through globalThis so the browser build needs no Node or DOM type declarations.
const platform = globalThis as unknown as TextCodecGlobals;
const encoder = new platform.TextEncoder();
const decoder = new platform.TextDecoder('utf-8');
const empty = new Uint8Array(0);

/** The bytes of node data. */
export function toBytes(data: NodeData | undefined): Uint8Array {
  if (data === undefined) return empty;
  return typeof data === 'string' ? encoder.encode(data) : data;
}

/** Decodes node data as UTF-8 text (malformed bytes become U+FFFD). */
export function toText(data: Uint8Array): string {
  return decoder.decode(data);
}
