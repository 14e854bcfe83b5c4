/**
 * Asks one member who leads, for fault targeting ("kill the leader") and recovery checks.
 *
 * With an admin port the member's HTTP `/status` answers directly. Without one, the client
 * protocol is the only way in: open a session (`connect`), ask `listMembers`, close the session
 * (a `NotLeader` answer to `connect` names the leader, if the member knows one).
 */
import { request as httpRequest } from 'node:http';
import { decodeResponse, encodeRequest, type Request, type ServerMessage } from '@keel/protocol';
import WebSocket from 'ws';
import { loopbackHost } from './ports';

/** What one member said about leadership. */
export interface LeaderView {
  /** The member asked. */
  readonly memberId: string;
  /** Whether the member says it leads. */
  readonly leads: boolean;
  /** The leader it knows of, if any. */
  readonly leaderId: string | null;
}

/** Longest a probe may take. */
export const probeTimeoutMs = 2_000;

/** Probes a member through its admin HTTP `/status` endpoint. */
export async function probeAdmin(memberId: string, adminPort: number): Promise<LeaderView | null> {
  const body = await new Promise<string | null>((resolve) => {
    const request = httpRequest(
      { host: loopbackHost, port: adminPort, path: '/status', method: 'GET', timeout: probeTimeoutMs },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve(response.statusCode === 200 ? text : null));
        response.on('error', () => resolve(null));
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(null));
    request.end();
  });
  if (body === null) return null;
  try {
    const status = JSON.parse(body) as Record<string, unknown>;
    const leaderField = status.leaderId ?? status.leader;
    const leaderId = typeof leaderField === 'string' ? leaderField : null;
    const leads = status.role === 'leader' || (leaderId !== null && leaderId === (status.id ?? memberId));
    return { memberId, leads, leaderId: leads ? memberId : leaderId };
  } catch {
    return null;
  }
}

/** Probes a member over the client protocol; null when it does not answer in time. */
export async function probeProtocol(memberId: string, clientUrl: string): Promise<LeaderView | null> {
  const socket = new WebSocket(clientUrl);
  const inbox: ServerMessage[] = [];
  let wake: (() => void) | null = null;
  let closed = false;
  socket.on('message', (data: Buffer) => {
    const decoded = decodeResponse(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (decoded.ok) inbox.push(decoded.value);
    wake?.();
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
    wake?.();
  });
  const deadline = Date.now() + probeTimeoutMs;
  const timer = setTimeout(() => socket.terminate(), probeTimeoutMs);
  const ask = async (request: Request): Promise<ServerMessage | null> => {
    socket.send(encodeRequest(request));
    for (;;) {
      const found = inbox.findIndex((m) => 'xid' in m && m.xid === request.xid);
      if (found >= 0) return inbox.splice(found, 1)[0]!;
      if (closed || Date.now() > deadline) return null;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  };
  try {
    const opened = await new Promise<boolean>((resolve) => {
      socket.once('open', () => resolve(true));
      socket.once('close', () => resolve(false));
    });
    if (!opened) return null;
    const connected = await ask({
      op: 'connect',
      xid: 1,
      sessionTimeoutMs: 4_000,
      lastSeenRevision: 0,
      readOnly: false,
    });
    if (connected === null) return null;
    if (connected.type === 'error') {
      if (connected.code !== 'NotLeader') return null;
      const named = /the leader is (\S+)/.exec(connected.message);
      return { memberId, leads: false, leaderId: named?.[1] ?? null };
    }
    const members = await ask({ op: 'listMembers', xid: 2 });
    await ask({ op: 'closeSession', xid: 3 });
    if (members?.type !== 'listMembers') return null;
    return { memberId, leads: members.leaderId === memberId, leaderId: members.leaderId };
  } finally {
    clearTimeout(timer);
    socket.terminate();
  }
}
