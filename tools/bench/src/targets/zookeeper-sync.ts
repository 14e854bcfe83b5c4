/**
 * ZooKeeper's `sync` for `node-zookeeper-client`, which does not implement it. A sync request is
 * a header with op 9 and a body holding one path, the same layout as `GetACLRequest`. The
 * client only knows how to read answers to ops it sends; an answer to an unknown op makes it
 * drop the connection. So the header says "sync" while it is serialised and "delete" afterwards:
 * the answer to a delete is read as header only, which is exactly what a sync answer needs (the
 * echoed path in its body is skipped with the frame).
 */
import { createRequire } from 'node:module';
import type { Client } from 'node-zookeeper-client';

interface JuteRecord {
  type: number;
  path: string;
  serialize(buffer: Buffer, offset: number): number;
}
interface JuteModule {
  readonly OP_CODES: { readonly SYNC: number; readonly DELETE: number };
  readonly protocol: { RequestHeader: new () => JuteRecord; GetACLRequest: new () => JuteRecord };
  readonly Request: new (header: JuteRecord, payload: JuteRecord) => unknown;
}
interface ConnectionManager {
  queue(request: unknown, callback: (error: Error | null) => void): void;
}

const jute = createRequire(import.meta.url)('node-zookeeper-client/lib/jute/index.js') as JuteModule;

/** Sends a `sync` on `client`'s session; resolves when the connected server has caught up with the leader. */
export function zookeeperSync(client: Client, path: string): Promise<void> {
  const header = new jute.protocol.RequestHeader();
  header.type = jute.OP_CODES.SYNC;
  const serializeHeader = header.serialize.bind(header);
  header.serialize = (buffer, offset) => {
    const written = serializeHeader(buffer, offset);
    header.type = jute.OP_CODES.DELETE;
    return written;
  };
  const payload = new jute.protocol.GetACLRequest();
  payload.path = path;
  const manager = (client as unknown as { connectionManager: ConnectionManager }).connectionManager;
  return new Promise((resolve, reject) => {
    manager.queue(new jute.Request(header, payload), (error) => (error ? reject(error) : resolve()));
  });
}
