// Goal: a member passes its logger to the peer transport, so a member started with the wrong
// cluster secret shows up in the logs as a refused handshake at warn (on both sides), while the
// transport's routine lines (listening, connected) stay below info.
// Method: two real members on 127.0.0.1 with different secrets and capturing loggers; they dial
// each other until both have logged the refusal; then two members with the same secret, whose
// transport lines must all be at debug.
import type { RaftNodeLogger } from '@keel/raft';
import { afterEach, describe, expect, it } from 'vitest';
import { KeelServer } from '../../src/server/keel-server';
import { tempDir, waitFor } from './harness';

interface Line {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown> | undefined;
}

function capturing(): { logger: RaftNodeLogger; lines: Line[] } {
  const lines: Line[] = [];
  const at =
    (level: Line['level']) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, message, fields });
    };
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

describe('peer transport logging', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function pair(secrets: readonly [string, string]) {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const ids = ['a', 'b'] as const;
    const logs = ids.map(() => capturing());
    const servers: KeelServer[] = [];
    for (const [index, id] of ids.entries()) {
      const server = await KeelServer.start({
        id,
        dataDir: `${dir}/${id}`,
        clientListen: { host: '127.0.0.1', port: 0 },
        clusterSecret: secrets[index] as string,
        bootstrap: { voters: [...ids], learners: [] },
        tickMs: 10,
        raft: { electionTicks: 30 },
        logger: logs[index]?.logger as RaftNodeLogger,
      });
      servers.push(server);
      cleanups.push(() => server.stop());
    }
    const addresses = new Map(servers.map((server) => [server.id, server.peerUrl] as const));
    for (const server of servers) server.node.setPeerAddresses(addresses);
    return { servers, logs: logs.map((log) => log.lines) };
  }

  it('logs a handshake refused for a wrong cluster secret at warn, on both sides', async () => {
    const { logs } = await pair(['right-secret', 'wrong-secret']);
    const refused = (lines: Line[]) => lines.some((line) => line.message === 'peer refused our handshake');
    const closedInbound = (lines: Line[]) => lines.some((line) => line.message === 'closing inbound peer connection');
    await waitFor(
      'both members to log the refusal',
      () => logs.every((lines) => refused(lines) && closedInbound(lines)),
      30_000,
    );
    for (const lines of logs) {
      const refusal = lines.find((line) => line.message === 'peer refused our handshake');
      expect(refusal?.level).toBe('warn');
      expect(refusal?.fields).toMatchObject({ peer: expect.stringMatching(/^[ab]$/) });
      expect(lines.find((line) => line.message === 'closing inbound peer connection')?.level).toBe('warn');
      expect(lines.some((line) => line.message.includes('connected'))).toBe(false);
    }
  });

  it('writes the routine transport lines at debug', async () => {
    const { servers, logs } = await pair(['same-secret', 'same-secret']);
    await waitFor('a leader', () => servers.some((server) => server.node.isLeader()), 30_000);
    await waitFor(
      'both links to be logged',
      () => logs.every((lines) => lines.some((line) => line.message === 'connected to peer')),
      30_000,
    );
    for (const lines of logs) {
      for (const message of ['peer transport listening', 'connected to peer', 'peer connected']) {
        const found = lines.filter((line) => line.message === message);
        expect(found.length, message).toBeGreaterThan(0);
        expect(found.every((line) => line.level === 'debug')).toBe(true);
      }
      expect(lines.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
    }
  });
});
