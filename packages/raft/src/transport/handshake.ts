/**
 * The peer authentication handshake. The secret itself never crosses the wire; each side
 * proves it knows the secret with an HMAC-SHA256 over both nonces and both ids:
 *
 * ```
 * server -> client  hello   = 0xA1, version, serverNonce[32], serverId
 * client -> server  auth    = 0xA2, clientNonce[32], clientId, serverId, proof("client")[32]
 * server -> client  welcome = 0xA3, proof("server")[32]
 * proof(role) = HMAC-SHA256(secret, "keel-raft-peer/1 " + role, serverNonce, clientNonce, clientId, serverId)
 * ```
 * The server's fresh nonce stops replays of an old `auth`; the client's nonce and the
 * server's own proof stop a fake server from collecting proofs or receiving data. Ids are
 * length-prefixed inside the MAC so that no two (client, server) pairs hash alike.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ByteReader, ByteWriter, utf8Size, varintSize } from '../codec/bytes';
import { CodecError } from '../codec/errors';
import { isValidNodeId } from '../codec/node-id';
import { nodeIdBytesMax } from '../constants';
import type { NodeId } from '../core/types';

const helloTag = 0xa1;
const authTag = 0xa2;
const welcomeTag = 0xa3;
const handshakeVersion = 1;
/** Bytes of each nonce and each proof. */
export const nonceBytes = 32;
const proofBytes = 32;
/** No handshake frame is larger; anything bigger before authentication is refused. */
export const handshakeFrameBytesMax = 1 + 1 + nonceBytes + 2 * (2 + nodeIdBytesMax) + proofBytes;

export interface Hello {
  readonly serverNonce: Uint8Array;
  readonly serverId: NodeId;
}

export interface Auth {
  readonly clientNonce: Uint8Array;
  readonly clientId: NodeId;
  readonly serverId: NodeId;
  readonly proof: Uint8Array;
}

export function newNonce(): Uint8Array {
  return new Uint8Array(randomBytes(nonceBytes));
}

function idBytes(id: NodeId): number {
  const size = utf8Size(id);
  return varintSize(size) + size;
}

function writeId(writer: ByteWriter, id: NodeId): void {
  const size = utf8Size(id);
  writer.varint(size);
  writer.utf8(id, size);
}

/** Reads a handshake frame with `read`; null if it is malformed in any way. */
function parse<T>(bytes: Uint8Array, tag: number, read: (reader: ByteReader) => T): T | null {
  if (bytes.length > handshakeFrameBytesMax) return null;
  const reader = new ByteReader(bytes);
  try {
    if (reader.u8() !== tag) return null;
    const value = read(reader);
    return reader.remaining === 0 ? value : null;
  } catch (error) {
    if (error instanceof CodecError) return null;
    throw error;
  }
}

function readId(reader: ByteReader): NodeId {
  const id = reader.string(nodeIdBytesMax, 'id');
  if (!isValidNodeId(id)) throw new CodecError('BAD_FRAME', 'bad node id');
  return id;
}

export function encodeHello(hello: Hello): Uint8Array {
  const writer = new ByteWriter(2 + nonceBytes + idBytes(hello.serverId));
  writer.u8(helloTag);
  writer.u8(handshakeVersion);
  writer.raw(hello.serverNonce);
  writeId(writer, hello.serverId);
  return writer.bytes;
}

export function decodeHello(bytes: Uint8Array): Hello | null {
  return parse(bytes, helloTag, (reader) => {
    if (reader.u8() !== handshakeVersion) throw new CodecError('BAD_FRAME', 'handshake version');
    return { serverNonce: reader.view(nonceBytes), serverId: readId(reader) };
  });
}

export function encodeAuth(auth: Auth): Uint8Array {
  const writer = new ByteWriter(1 + nonceBytes + idBytes(auth.clientId) + idBytes(auth.serverId) + proofBytes);
  writer.u8(authTag);
  writer.raw(auth.clientNonce);
  writeId(writer, auth.clientId);
  writeId(writer, auth.serverId);
  writer.raw(auth.proof);
  return writer.bytes;
}

export function decodeAuth(bytes: Uint8Array): Auth | null {
  return parse(bytes, authTag, (reader) => ({
    clientNonce: reader.view(nonceBytes),
    clientId: readId(reader),
    serverId: readId(reader),
    proof: reader.view(proofBytes),
  }));
}

export function encodeWelcome(proof: Uint8Array): Uint8Array {
  const writer = new ByteWriter(1 + proofBytes);
  writer.u8(welcomeTag);
  writer.raw(proof);
  return writer.bytes;
}

/** The server's proof from a welcome frame, or null. */
export function decodeWelcome(bytes: Uint8Array): Uint8Array | null {
  return parse(bytes, welcomeTag, (reader) => reader.view(proofBytes));
}

/** What a proof binds: both nonces and both ids of one connection. */
export interface ProofInput {
  readonly serverNonce: Uint8Array;
  readonly clientNonce: Uint8Array;
  readonly clientId: NodeId;
  readonly serverId: NodeId;
}

/** HMAC-SHA256 proof that `role` knows `secret`, bound to this connection's nonces and ids. */
export function proof(secret: Uint8Array, role: 'client' | 'server', input: ProofInput): Uint8Array {
  const mac = createHmac('sha256', secret);
  mac.update(`keel-raft-peer/1 ${role}`);
  mac.update(input.serverNonce);
  mac.update(input.clientNonce);
  for (const id of [input.clientId, input.serverId]) {
    const bytes = Buffer.from(id, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    mac.update(length);
    mac.update(bytes);
  }
  return new Uint8Array(mac.digest());
}

/** Constant-time comparison, so a wrong proof reveals nothing about the right one. */
export function proofsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
