// Goal: the member's logger writes one JSON object per line with the level as a name, an ISO
// time, the member id and the message, honours its level, and the Raft adapter passes the
// runtime's message and fields through at the right level.
// Method: createLogger with an in-memory destination; lines parsed back as JSON.
import { describe, expect, it } from 'vitest';
import { createLogger, isLogLevel } from '../../src/logging/logger';
import { raftLoggerOf } from '../../src/logging/raft-logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
  return { lines, destination };
}

describe('logging', () => {
  it('writes JSON lines with level names, ISO times and the member id', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'info', member: 'n1', destination });
    logger.info({ clientUrl: 'ws://x' }, 'keel-server started');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', member: 'n1', clientUrl: 'ws://x', msg: 'keel-server started' });
    expect(String(lines[0]?.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(lines[0]?.pid).toBe(process.pid);
  });

  it('drops lines below its level', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'warn', destination });
    logger.info('quiet');
    logger.debug('quieter');
    logger.warn('loud');
    expect(lines.map((line) => [line.level, line.msg])).toEqual([['warn', 'loud']]);
    const silent = capture();
    createLogger({ level: 'silent', destination: silent.destination }).fatal('nothing');
    expect(silent.lines).toEqual([]);
  });

  it('adapts to the Raft runtime logger, fields and all', () => {
    const { lines, destination } = capture();
    const raft = raftLoggerOf(createLogger({ level: 'debug', member: 'n2', destination }));
    raft.info('leader changed', { leader: 'n3', term: 7 });
    raft.debug('peer socket error');
    raft.warn('peer handshake failed', { peer: 'n1', reason: 'bad welcome' });
    raft.error('raft node failed; stopping', { error: 'EIO' });
    expect(lines.map(({ time: _time, pid: _pid, ...rest }) => rest)).toEqual([
      { level: 'info', member: 'n2', leader: 'n3', term: 7, msg: 'leader changed' },
      { level: 'debug', member: 'n2', msg: 'peer socket error' },
      { level: 'warn', member: 'n2', peer: 'n1', reason: 'bad welcome', msg: 'peer handshake failed' },
      { level: 'error', member: 'n2', error: 'EIO', msg: 'raft node failed; stopping' },
    ]);
  });

  it('knows its levels', () => {
    expect(isLogLevel('debug')).toBe(true);
    expect(isLogLevel('verbose')).toBe(false);
  });
});
