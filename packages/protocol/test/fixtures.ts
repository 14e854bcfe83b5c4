// Sample frames of every request op and member frame type, shared by the round-trip,
// validation and fuzz tests (the fuzz test mutates their encodings).
import type { MultiOp, Request, ServerMessage, Stat } from '../src';

export const stat: Stat = {
  version: 3,
  childrenVersion: 7,
  createdRevision: 12,
  modifiedRevision: 2 ** 40,
  childrenRevision: Number.MAX_SAFE_INTEGER,
  createdAt: 1_700_000_000_000,
  modifiedAt: 1_700_000_000_123,
  ephemeralOwner: null,
  dataLength: 5,
  numChildren: 2,
};

export const ephemeralStat: Stat = { ...stat, version: 0, ephemeralOwner: 'session-9f8e', numChildren: 0 };

const bytes = (...values: number[]) => new Uint8Array(values);

const multiOps: MultiOp[] = [
  { op: 'check', path: '/app', expectedVersion: 4 },
  { op: 'create', path: '/app/lock-', data: bytes(1, 2), mode: 'ephemeral_sequential' },
  { op: 'create', path: '/app/ttl', data: bytes(), mode: 'persistent_ttl', ttlMs: 60_000 },
  { op: 'set', path: '/app/config', data: bytes(0, 255) },
  { op: 'set', path: '/app/config', data: bytes(9), expectedVersion: 0 },
  { op: 'delete', path: '/app/old' },
  { op: 'delete', path: '/app/old2', expectedVersion: 12 },
];

/** One or more requests of every op, named for the test table. */
export const requests: ReadonlyArray<readonly [string, Request]> = [
  ['connect', { op: 'connect', xid: 0, sessionTimeoutMs: 10_000, lastSeenRevision: 0, readOnly: false }],
  [
    'resume',
    {
      op: 'resume',
      xid: 1,
      sessionId: '0000000000000042',
      secret: 's3cr3t-token',
      sessionTimeoutMs: 30_000,
      lastSeenRevision: 987_654_321_012,
      readOnly: true,
    },
  ],
  ['closeSession', { op: 'closeSession', xid: 2 }],
  ['ping', { op: 'ping', xid: 2 ** 32 + 5 }],
  ['create persistent', { op: 'create', xid: 3, path: '/a', data: bytes(104, 105), mode: 'persistent' }],
  ['create ephemeral', { op: 'create', xid: 3, path: '/a/e', data: bytes(), mode: 'ephemeral' }],
  ['create container', { op: 'create', xid: 3, path: '/c', data: bytes(), mode: 'container' }],
  [
    'create ttl sequential',
    { op: 'create', xid: 4, path: '/q/item-', data: bytes(1), mode: 'persistent_sequential_ttl', ttlMs: 1 },
  ],
  ['create unicode', { op: 'create', xid: 4, path: '/ünï/ćødé/😀', data: bytes(), mode: 'persistent_sequential' }],
  ['delete any', { op: 'delete', xid: 5, path: '/a' }],
  ['delete versioned', { op: 'delete', xid: 5, path: '/a', expectedVersion: 0 }],
  ['set any', { op: 'set', xid: 6, path: '/a', data: new Uint8Array(1000).fill(7) }],
  ['set versioned', { op: 'set', xid: 6, path: '/a', data: bytes(1), expectedVersion: 2 ** 31 }],
  ['get', { op: 'get', xid: 7, path: '/', watch: true, linearizable: false }],
  ['exists', { op: 'exists', xid: 8, path: '/missing', watch: true, linearizable: true }],
  ['children', { op: 'children', xid: 9, path: '/a', watch: false, linearizable: true }],
  ['multi', { op: 'multi', xid: 10, ops: multiOps }],
  ['multi empty', { op: 'multi', xid: 10, ops: [] }],
  ['sync', { op: 'sync', xid: 11, path: '/' }],
  ['addWatch data', { op: 'addWatch', xid: 12, path: '/a', kind: 'data' }],
  ['addWatch exists', { op: 'addWatch', xid: 12, path: '/a', kind: 'exists', sinceRevision: 0 }],
  ['addWatch children', { op: 'addWatch', xid: 12, path: '/a', kind: 'children', sinceRevision: 5 }],
  ['addWatch persistent', { op: 'addWatch', xid: 12, path: '/a', kind: 'persistent' }],
  ['addWatch recursive', { op: 'addWatch', xid: 12, path: '/', kind: 'persistentRecursive', sinceRevision: 99 }],
  ['removeWatch', { op: 'removeWatch', xid: 13, path: '/a', kind: 'persistentRecursive' }],
  ['addWatch turn', { op: 'addWatch', xid: 13, path: '/locks/lock-0000000007', kind: 'turn' }],
  ['listMembers', { op: 'listMembers', xid: 14 }],
  ['addLearner', { op: 'addLearner', xid: 15, memberId: 'n4', address: 'ws://127.0.0.1:7104' }],
  ['promote', { op: 'promote', xid: 16, memberId: 'n4' }],
  ['removeMember', { op: 'removeMember', xid: 17, memberId: 'n2' }],
  ['transferLeadership to', { op: 'transferLeadership', xid: 18, memberId: 'n3' }],
  ['transferLeadership any', { op: 'transferLeadership', xid: 18 }],
];

/** One or more member frames of every type, named for the test table. */
export const serverMessages: ReadonlyArray<readonly [string, ServerMessage]> = [
  [
    'connected',
    {
      type: 'connected',
      xid: 0,
      revision: 1,
      sessionId: '0000000000000042',
      secret: 'c2VjcmV0',
      sessionTimeoutMs: 10_000,
      memberId: 'n1',
      resumed: false,
      readOnly: false,
    },
  ],
  ['closeSession', { type: 'closeSession', xid: 2, revision: 40 }],
  ['pong', { type: 'pong', xid: 2 ** 32 + 5, revision: 41 }],
  ['create', { type: 'create', xid: 3, revision: 42, path: '/q/item-0000000007', stat }],
  ['delete', { type: 'delete', xid: 5, revision: 43 }],
  ['set', { type: 'set', xid: 6, revision: 44, stat }],
  ['get', { type: 'get', xid: 7, revision: 45, data: bytes(104, 101, 108, 108, 111), stat: ephemeralStat }],
  ['exists found', { type: 'exists', xid: 8, revision: 46, stat }],
  ['exists missing', { type: 'exists', xid: 8, revision: 46, stat: null }],
  ['children', { type: 'children', xid: 9, revision: 47, children: ['b', 'lock-0000000001', 'ünï'], stat }],
  ['children none', { type: 'children', xid: 9, revision: 47, children: [], stat }],
  [
    'multi ok',
    {
      type: 'multi',
      xid: 10,
      revision: 48,
      results: [
        { op: 'check' },
        { op: 'create', path: '/app/lock-0000000003', stat: ephemeralStat },
        { op: 'set', stat },
        { op: 'delete' },
      ],
    },
  ],
  [
    'multi failed',
    {
      type: 'multi',
      xid: 10,
      revision: 48,
      results: [
        { op: 'rolledBack' },
        { op: 'error', code: 'BadVersion', message: 'version is 5, expected 4', path: '/app' },
        { op: 'error', code: 'NoNode', message: 'no node' },
        { op: 'rolledBack' },
      ],
    },
  ],
  ['sync', { type: 'sync', xid: 11, revision: 49, path: '/a' }],
  ['addWatch', { type: 'addWatch', xid: 12, revision: 50 }],
  ['removeWatch', { type: 'removeWatch', xid: 13, revision: 50 }],
  [
    'listMembers',
    {
      type: 'listMembers',
      xid: 14,
      revision: 51,
      leaderId: 'n1',
      members: [
        { id: 'n1', address: 'ws://127.0.0.1:7101', role: 'voter' },
        { id: 'n4', address: 'ws://127.0.0.1:7104', role: 'learner' },
      ],
    },
  ],
  [
    'listMembers with progress',
    {
      type: 'listMembers',
      xid: 14,
      revision: 51,
      leaderId: 'n1',
      members: [
        { id: 'n1', address: 'ws://127.0.0.1:7101', role: 'voter', matchIndex: 51, lag: 0 },
        { id: 'n4', address: 'ws://127.0.0.1:7104', role: 'learner', matchIndex: 40, lag: 11 },
      ],
    },
  ],
  ['listMembers leaderless', { type: 'listMembers', xid: 14, revision: 51, leaderId: null, members: [] }],
  ['addLearner', { type: 'addLearner', xid: 15, revision: 52 }],
  ['promote', { type: 'promote', xid: 16, revision: 53 }],
  ['removeMember', { type: 'removeMember', xid: 17, revision: 54 }],
  ['transferLeadership', { type: 'transferLeadership', xid: 18, revision: 55, leaderId: 'n3' }],
  ['error', { type: 'error', xid: 19, revision: 56, code: 'NodeExists', message: 'exists', path: '/a' }],
  ['error without path', { type: 'error', xid: 20, revision: 56, code: 'SessionExpired', message: 'gone' }],
  ['watch created', { type: 'watch', event: 'created', path: '/a', revision: 57 }],
  ['watch deleted', { type: 'watch', event: 'deleted', path: '/a', revision: 58 }],
  ['watch dataChanged', { type: 'watch', event: 'dataChanged', path: '/a/b', revision: 59 }],
  ['watch childrenChanged', { type: 'watch', event: 'childrenChanged', path: '/', revision: 60 }],
  ['watch turn', { type: 'watch', event: 'turn', path: '/locks/lock-0000000007', revision: 60 }],
  [
    'watch resyncNeeded turn',
    { type: 'watch', event: 'resyncNeeded', path: '/l/n-0000000001', kind: 'turn', revision: 61 },
  ],
  [
    'watch resyncNeeded',
    { type: 'watch', event: 'resyncNeeded', path: '/a', kind: 'persistentRecursive', revision: 61 },
  ],
  ['session expired', { type: 'session', event: 'expired', reason: 'timeout of 10000 ms passed', revision: 62 }],
  ['session moved', { type: 'session', event: 'moved', reason: '', revision: 63 }],
  ['session serverClosing', { type: 'session', event: 'serverClosing', reason: 'member n1 stopping', revision: 64 }],
];
