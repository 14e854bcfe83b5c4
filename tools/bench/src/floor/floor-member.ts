#!/usr/bin/env node
/**
 * One member of the floor (`floor-member leader|follower <port> <file> [follower ports]`): the
 * least a member must do for a replicated, durable write, with the primitives Keel's members use
 * (`ws` on loopback, O_DSYNC writes through `FileHandle.write` into a preallocated file). The
 * leader sends each client write to both followers and writes it itself; it is committed once
 * two of the three copies are durable, and then answered, its turn events sent, and the
 * followers told. No terms, no elections, no state machine, no checks: whatever Keel does
 * beyond this is what its consensus and coordination cost.
 */
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { connectFloor, FloorKind, numbered } from './floor-wire';

/** The file is preallocated and written round-robin, so a write never changes its size. */
const fileBytes = 64 << 20;
const wrapAt = 60 << 20;

interface Entry {
  readonly client: WebSocket;
  readonly sequence: number;
  readonly handOver: boolean;
  copies: number;
}

class DurableFile {
  private position = 0;

  private constructor(private readonly handle: FileHandle) {}

  static async open(path: string): Promise<DurableFile> {
    const dsync = constants.O_DSYNC ?? 0;
    const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | dsync, 0o600);
    await handle.write(Buffer.alloc(fileBytes), 0, fileBytes, 0);
    await handle.datasync();
    return new DurableFile(handle);
  }

  /** Writes `bytes` durably (O_DSYNC, or a datasync where the platform lacks it). */
  async write(bytes: Buffer): Promise<void> {
    const at = this.position;
    this.position = at + bytes.length > wrapAt ? 0 : at + bytes.length;
    await this.handle.write(bytes, 0, bytes.length, at);
    if (constants.O_DSYNC === undefined) await this.handle.datasync();
  }
}

function cpuAnswer(): Buffer {
  const used = process.cpuUsage();
  const message = Buffer.alloc(9);
  message[0] = FloorKind.cpu;
  message.writeDoubleLE(used.user + used.system, 1);
  return message;
}

function asBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

function listen(port: number): Promise<WebSocketServer> {
  return new Promise((resolve, reject) => {
    const server = new WebSocketServer({ host: '127.0.0.1', port });
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

async function follower(port: number, file: DurableFile): Promise<void> {
  const server = await listen(port);
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const message = asBuffer(data);
      if (message[0] === FloorKind.append) {
        const index = message.readUInt32LE(1);
        file.write(message).then(() => socket.send(numbered(FloorKind.ack, index)), fail);
      } else if (message[0] === FloorKind.cpu) {
        socket.send(cpuAnswer());
      }
      // A commit tells a follower what it may apply; the floor has nothing to apply.
    });
  });
}

async function leader(port: number, file: DurableFile, followerPorts: readonly number[]): Promise<void> {
  const followers = await Promise.all(followerPorts.map(connectFloor));
  const clients = new Set<WebSocket>();
  const entries = new Map<number, Entry>();
  let lastIndex = 0;
  let commitIndex = 0;
  const turn = Buffer.from([FloorKind.turn]);

  const durable = (index: number): void => {
    const entry = entries.get(index);
    if (entry === undefined) return;
    entry.copies += 1;
    for (let next = entries.get(commitIndex + 1); next !== undefined && next.copies >= 2; ) {
      commitIndex += 1;
      entries.delete(commitIndex);
      next.client.send(numbered(FloorKind.answer, next.sequence));
      if (next.handOver) for (const other of clients) if (other !== next.client) other.send(turn);
      for (const peer of followers) peer.send(numbered(FloorKind.commit, commitIndex));
      next = entries.get(commitIndex + 1);
    }
  };
  for (const peer of followers) {
    peer.on('message', (data) => {
      const message = asBuffer(data);
      if (message[0] === FloorKind.ack) durable(message.readUInt32LE(1));
    });
  }

  const server = await listen(port);
  server.on('connection', (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('message', (data) => {
      const message = asBuffer(data);
      if (message[0] === FloorKind.cpu) {
        client.send(cpuAnswer());
        return;
      }
      if (message[0] !== FloorKind.write) return;
      lastIndex += 1;
      const index = lastIndex;
      entries.set(index, { client, sequence: message.readUInt32LE(1), handOver: message[5] === 1, copies: 0 });
      const append = Buffer.allocUnsafe(message.length + 5);
      append[0] = FloorKind.append;
      append.writeUInt32LE(index, 1);
      message.copy(append, 5);
      for (const peer of followers) peer.send(append);
      file.write(append).then(() => durable(index), fail);
    });
  });
}

function fail(error: unknown): never {
  process.stderr.write(`floor member failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const [role, portText, path, ...rest] = process.argv.slice(2);
  const port = Number(portText);
  if ((role !== 'leader' && role !== 'follower') || !Number.isInteger(port) || path === undefined) {
    throw new Error('usage: floor-member leader|follower <port> <file> [follower ports...]');
  }
  const file = await DurableFile.open(path);
  if (role === 'follower') await follower(port, file);
  else await leader(port, file, rest.map(Number));
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => process.exit(0));
}

main().catch(fail);
