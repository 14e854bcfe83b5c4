// Goal: `keel-server`'s configuration reads flags, KEEL_* variables and a JSON file with the
// precedence flags > env > file > defaults, refuses every bad or unknown input with one clear
// message per problem, and maps the result onto KeelServerOptions.
// Method: pure calls of parseCli with an explicit environment and an in-memory file reader (no
// process, no disk), checking the resolved config, the server options and the exact messages.
// Each refused input is a named row of a table and runs as a test of its own.
import { defaultRaftConfig } from '@keel/raft';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../src/cli/args';
import { ConfigError } from '../../src/cli/config-errors';
import { settingDefaults, settingSpecs } from '../../src/cli/config-schema';
import { usageText } from '../../src/cli/usage';
import {
  defaultChangeWindowEventsMax,
  defaultChangeWindowRevisions,
  defaultPendingRequestBytesMax,
  defaultSendBufferBytesMax,
  defaultSessionTimeoutMsMin,
  defaultSnapshotEveryEntries,
  defaultTickMs,
  defaultTtlCheckMs,
  defaultWatchesPerConnectionMax,
  defaultWriteTimeoutMs,
} from '../../src/server/options';

/** Reads config files from a map of name to content; any other name fails like a missing file. */
function files(contents: Record<string, string>) {
  return (path: string): string => {
    const content = contents[path];
    if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return content;
  };
}

function start(argv: string[], env: Record<string, string> = {}, contents: Record<string, string> = {}) {
  const request = parseCli(argv, env, files(contents));
  if (request.kind !== 'start') throw new Error(`expected start, got ${request.kind}`);
  return request;
}

/** The problems parseCli reports, one per line without the `config: ` prefix. */
function problems(argv: string[], env: Record<string, string> = {}, contents: Record<string, string> = {}) {
  try {
    parseCli(argv, env, files(contents));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    expect(error.message.split('\n')).toEqual(error.problems.map((problem) => `config: ${problem}`));
    return error.problems;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration - defaults and sources', () => {
  it('starts a single member on loopback with the default ports and a generated secret', () => {
    const { config, options } = start([]);
    expect(config).toMatchObject({
      id: 'keel-1',
      dataDir: './data',
      clientListen: { host: '127.0.0.1', port: 5181 },
      peerListen: { host: '127.0.0.1', port: 5281 },
      admin: { host: '127.0.0.1', port: 5191 },
      clientUrl: null,
      peerUrl: null,
      peers: {},
      join: false,
      logLevel: 'info',
      clusterSecretGenerated: true,
      limits: {
        dataBytesMax: settingDefaults.dataBytesMax,
        requestBytesMax: settingDefaults.requestBytesMax,
        pendingRequestsMax: settingDefaults.pendingRequestsMax,
        sessionsPerAddressMax: settingDefaults.sessionsPerAddressMax,
      },
    });
    expect(config.clusterSecret.length).toBeGreaterThanOrEqual(32);
    expect(start([]).config.clusterSecret).not.toBe(config.clusterSecret);
    expect(options.peers).toBeUndefined();
    expect(options.bootstrap).toBeUndefined();
  });

  it('takes flags over environment over file over defaults, setting by setting', () => {
    const file = JSON.stringify({ id: 'from-file', dataDir: '/file', clientPort: 7001, logLevel: 'warn' });
    const env = { KEEL_ID: 'from-env', KEEL_DATA_DIR: '/env', KEEL_CONFIG: 'keel.json' };
    const { config } = start(['--id', 'from-flag'], env, { 'keel.json': file });
    expect(config.id).toBe('from-flag');
    expect(config.dataDir).toBe('/env');
    expect(config.clientListen.port).toBe(7001);
    expect(config.logLevel).toBe('warn');
    expect(config.peerListen.port).toBe(5281);
  });

  it('takes --config over KEEL_CONFIG', () => {
    const contents = { 'a.json': '{"id":"a"}', 'b.json': '{"id":"b"}' };
    expect(start(['--config', 'a.json'], { KEEL_CONFIG: 'b.json' }, contents).config.id).toBe('a');
    expect(start([], { KEEL_CONFIG: 'b.json' }, contents).config.id).toBe('b');
  });

  it('reads every setting from each source', () => {
    const flags = [
      ['--id', 'n1'],
      ['--data-dir', '/var/lib/keel'],
      ['--host', '0.0.0.0'],
      ['--client-host', '10.0.0.1'],
      ['--client-port', '6000'],
      ['--client-url', 'ws://keel-1.example.com:6000'],
      ['--peer-port', '6100'],
      ['--peer-url', 'ws://10.0.0.1:6100'],
      ['--peer', 'n2=ws://10.0.0.2:6100'],
      ['--peer', 'n3=ws://10.0.0.3:6100'],
      ['--cluster-secret', 's3cret'],
      ['--session-timeout-min-ms', '1000'],
      ['--session-timeout-max-ms', '60000'],
      ['--admin-host', '0.0.0.0'],
      ['--admin-port', '6200'],
      ['--log-level', 'debug'],
      ['--max-data-bytes', '2048'],
      ['--max-request-bytes', '8192'],
      ['--max-pending-requests', '10'],
      ['--max-sessions-per-address', '5'],
      ['--max-pending-request-bytes', '9000'],
      ['--max-send-buffer-bytes', '4096'],
      ['--max-watches-per-connection', '11'],
      ['--change-window-revisions', '12'],
      ['--max-change-window-events', '13'],
      ['--ttl-check-ms', '14'],
      ['--session-report-ms', '15'],
      ['--leaderless-close-ms', '16'],
      ['--write-timeout-ms', '17'],
      ['--tick-ms', '18'],
      ['--election-ticks', '19'],
      ['--heartbeat-ticks', '3'],
      ['--snapshot-every-entries', '0'],
    ].flat();
    const expected = {
      id: 'n1',
      dataDir: '/var/lib/keel',
      clientListen: { host: '10.0.0.1', port: 6000 },
      clientUrl: 'ws://keel-1.example.com:6000',
      peerListen: { host: '0.0.0.0', port: 6100 },
      peerUrl: 'ws://10.0.0.1:6100',
      peers: { n2: 'ws://10.0.0.2:6100', n3: 'ws://10.0.0.3:6100' },
      join: false,
      clusterSecret: 's3cret',
      clusterSecretGenerated: false,
      sessionTimeoutMsMin: 1000,
      sessionTimeoutMsMax: 60000,
      admin: { host: '0.0.0.0', port: 6200 },
      logLevel: 'debug',
      limits: {
        dataBytesMax: 2048,
        requestBytesMax: 8192,
        pendingRequestsMax: 10,
        sessionsPerAddressMax: 5,
        pendingRequestBytesMax: 9000,
        sendBufferBytesMax: 4096,
        watchesPerConnectionMax: 11,
        changeWindowRevisions: 12,
        changeWindowEventsMax: 13,
      },
      timers: { ttlCheckMs: 14, sessionReportMs: 15, leaderlessCloseMs: 16, writeTimeoutMs: 17 },
      raft: { tickMs: 18, electionTicks: 19, heartbeatTicks: 3, snapshotEveryEntries: 0 },
    };
    expect(start(flags).config).toEqual(expected);

    const env: Record<string, string> = {};
    for (let i = 0; i < flags.length; i += 2) {
      const spec = settingSpecs.find((candidate) => `--${candidate.flag}` === flags[i]);
      if (spec === undefined) throw new Error(`no spec for ${flags[i]}`);
      const value = flags[i + 1] as string;
      env[spec.env] = env[spec.env] === undefined ? value : `${env[spec.env]},${value}`;
    }
    expect(start([], env).config).toEqual(expected);

    const file = {
      id: 'n1',
      dataDir: '/var/lib/keel',
      host: '0.0.0.0',
      clientHost: '10.0.0.1',
      clientPort: 6000,
      clientUrl: 'ws://keel-1.example.com:6000',
      peerPort: 6100,
      peerUrl: 'ws://10.0.0.1:6100',
      peers: { n2: 'ws://10.0.0.2:6100', n3: 'ws://10.0.0.3:6100' },
      clusterSecret: 's3cret',
      sessionTimeoutMsMin: 1000,
      sessionTimeoutMsMax: 60000,
      adminHost: '0.0.0.0',
      adminPort: 6200,
      logLevel: 'debug',
      dataBytesMax: 2048,
      requestBytesMax: 8192,
      pendingRequestsMax: 10,
      sessionsPerAddressMax: 5,
      pendingRequestBytesMax: 9000,
      sendBufferBytesMax: 4096,
      watchesPerConnectionMax: 11,
      changeWindowRevisions: 12,
      changeWindowEventsMax: 13,
      ttlCheckMs: 14,
      sessionReportMs: 15,
      leaderlessCloseMs: 16,
      writeTimeoutMs: 17,
      tickMs: 18,
      electionTicks: 19,
      heartbeatTicks: 3,
      snapshotEveryEntries: 0,
    };
    expect(Object.keys(file).sort()).toEqual(
      settingSpecs
        .map((spec) => spec.key)
        .filter((key) => key !== 'peerHost' && key !== 'join')
        .sort(),
    );
    expect(start(['--config', 'k.json'], {}, { 'k.json': JSON.stringify(file) }).config).toEqual(expected);
  });

  it('lets a --peer list (or a file) name this member too: its entry is its peer URL', () => {
    const peers = ['--peer', 'a=ws://h1:1', '--peer', 'b=ws://h2:1', '--peer', 'c=ws://h3:1'];
    const { config, options } = start(['--id', 'b', ...peers, '--cluster-secret', 's']);
    expect(config.peers).toEqual({ a: 'ws://h1:1', c: 'ws://h3:1' });
    expect(config.peerUrl).toBe('ws://h2:1');
    expect(options.peers).toEqual({ a: 'ws://h1:1', b: 'ws://h2:1', c: 'ws://h3:1' });
    expect(options.bootstrap).toEqual({ voters: ['a', 'b', 'c'], learners: [] });
  });

  it('replaces a lower layer peer list as a whole instead of merging it', () => {
    const { config } = start(['--peer', 'x=ws://h:1'], {
      KEEL_PEERS: 'y=ws://h:2,z=ws://h:3',
      KEEL_CLUSTER_SECRET: 's',
    });
    expect(config.peers).toEqual({ x: 'ws://h:1' });
  });

  it('joins without bootstrapping when --join is set', () => {
    const { options } = start(['--join', '--peer', 'a=ws://h:1', '--cluster-secret', 's']);
    expect(options.bootstrap).toBeUndefined();
    expect(options.peers).toEqual({ a: 'ws://h:1' });
    expect(start([], { KEEL_JOIN: 'true', KEEL_PEERS: 'a=ws://h:1', KEEL_CLUSTER_SECRET: 's' }).config.join).toBe(true);
  });

  it('turns the admin endpoint off with "off" from any source', () => {
    expect(start(['--admin-port', 'off']).config.admin).toBeNull();
    expect(start([], { KEEL_ADMIN_PORT: 'off' }).config.admin).toBeNull();
    expect(start(['--config', 'k'], {}, { k: '{"adminPort":"off"}' }).config.admin).toBeNull();
    expect(start(['--config', 'k'], {}, { k: '{"adminPort":null}' }).config.admin).toBeNull();
  });

  it('passes the session timeouts and the limits to the server options', () => {
    const { options } = start([
      ...['--session-timeout-min-ms', '100', '--session-timeout-max-ms', '200'],
      ...['--max-data-bytes', '10', '--max-request-bytes', '6000', '--max-pending-requests', '7'],
      ...['--max-sessions-per-address', '3'],
    ]);
    expect(options).toMatchObject({
      sessionTimeoutMsMin: 100,
      sessionTimeoutMsMax: 200,
      dataBytesMax: 10,
      requestBytesMax: 6000,
      pendingRequestsMax: 7,
      sessionsPerAddressMax: 3,
    });
  });

  it('passes the per-connection limits, the change window, the timers and the Raft tuning to the server options', () => {
    const { options } = start([
      ...['--max-pending-request-bytes', '9000000', '--max-send-buffer-bytes', '3000000'],
      ...['--max-watches-per-connection', '4', '--change-window-revisions', '0', '--max-change-window-events', '6'],
      ...['--ttl-check-ms', '70', '--session-report-ms', '80', '--leaderless-close-ms', '90'],
      ...['--write-timeout-ms', '100', '--tick-ms', '20', '--election-ticks', '30', '--heartbeat-ticks', '2'],
      ...['--snapshot-every-entries', '500'],
    ]);
    expect(options).toMatchObject({
      pendingRequestBytesMax: 9000000,
      sendBufferBytesMax: 3000000,
      watchesPerConnectionMax: 4,
      changeWindowRevisions: 0,
      changeWindowEventsMax: 6,
      ttlCheckMs: 70,
      sessionReportMs: 80,
      leaderlessCloseMs: 90,
      writeTimeoutMs: 100,
      tickMs: 20,
      raft: { electionTicks: 30, heartbeatTicks: 2 },
      snapshotEveryEntries: 500,
    });
  });

  it('passes the defaults of the member explicitly, the session timers following the shortest session timeout', () => {
    const { options } = start([]);
    expect(options).toMatchObject({
      pendingRequestBytesMax: defaultPendingRequestBytesMax,
      sendBufferBytesMax: defaultSendBufferBytesMax,
      watchesPerConnectionMax: defaultWatchesPerConnectionMax,
      changeWindowRevisions: defaultChangeWindowRevisions,
      changeWindowEventsMax: defaultChangeWindowEventsMax,
      ttlCheckMs: defaultTtlCheckMs,
      sessionReportMs: Math.floor(defaultSessionTimeoutMsMin / 3),
      leaderlessCloseMs: Math.floor(defaultSessionTimeoutMsMin / 4),
      writeTimeoutMs: defaultWriteTimeoutMs,
      tickMs: defaultTickMs,
      raft: { electionTicks: defaultRaftConfig.electionTicks, heartbeatTicks: defaultRaftConfig.heartbeatTicks },
      snapshotEveryEntries: defaultSnapshotEveryEntries,
    });
    expect(start(['--session-timeout-min-ms', '1200']).options).toMatchObject({
      sessionReportMs: 400,
      leaderlessCloseMs: 300,
    });
    expect(start(['--session-timeout-min-ms', '1']).options).toMatchObject({
      sessionReportMs: 1,
      leaderlessCloseMs: 1,
    });
  });

  it('treats empty environment variables as unset', () => {
    expect(start([], { KEEL_ID: '', KEEL_UNKNOWN_BUT_EMPTY: '' }).config.id).toBe('keel-1');
  });

  it('answers --help and --version without reading anything else', () => {
    expect(parseCli(['--help', '--bogus'], { KEEL_BOGUS: 'x' }).kind).toBe('help');
    expect(parseCli(['-h']).kind).toBe('help');
    expect(parseCli(['--version']).kind).toBe('version');
  });
});

/**
 * The problems a refused configuration must report: every one, in order; or what the first one
 * is (a pattern where only part of it matters).
 */
type Expected = { readonly problems: string[] } | { readonly first: string | RegExp };

/** A configuration parseCli must refuse, named after what is wrong with it (the test's name). */
type Refusal = Expected & {
  readonly name: string;
  readonly argv?: string[];
  readonly env?: Record<string, string>;
  readonly files?: Record<string, string>;
};

/** The sources of a configuration given only as the file `k` with `content`. */
const fileK = (content: string) => ({ argv: ['--config', 'k'], files: { k: content } });

/** One test per refusal, named after it. */
function refusesEach(refusals: readonly Refusal[]): void {
  for (const refusal of refusals) {
    it(refusal.name, () => {
      const found = problems(refusal.argv ?? [], refusal.env, refusal.files);
      if ('problems' in refusal) expect(found).toEqual(refusal.problems);
      else if (typeof refusal.first === 'string') expect(found[0]).toBe(refusal.first);
      else expect(found[0]).toMatch(refusal.first);
    });
  }
}

describe('configuration - problems', () => {
  describe('names the flag, what it must be and what it got', () => {
    refusesEach([
      {
        name: 'a flag',
        argv: ['--client-port', 'abc'],
        problems: ['--client-port must be an integer 0-65535, got "abc"'],
      },
      {
        name: 'an environment variable',
        env: { KEEL_CLIENT_PORT: '70000' },
        problems: ['KEEL_CLIENT_PORT must be an integer 0-65535, got "70000"'],
      },
      {
        name: 'a key of the file',
        argv: ['--config', 'k.json'],
        files: { 'k.json': '{"clientPort":"5181"}' },
        problems: ['k.json: clientPort must be an integer 0-65535, got "5181"'],
      },
    ]);
  });

  describe('reports every problem at once', () => {
    refusesEach([
      {
        name: 'unknown, stray, missing and bad values from flags and environment',
        argv: ['--bogus', 'x', '--client-port', '-5', '--log-level', 'loud', '--peer', 'nourl', 'stray', '--id'],
        env: { KEEL_TYPO: '1', KEEL_SESSION_TIMEOUT_MIN_MS: '1.5' },
        problems: [
          'unknown flag --bogus (see keel-server --help)',
          'unexpected argument "stray": every setting is a --flag',
          '--id needs a value',
          'unknown environment variable KEEL_TYPO (see keel-server --help for the known ones)',
          '--client-port must be an integer 0-65535, got "-5"',
          '--peer must be id=url items such as n2=ws://10.0.0.2:5281; "nourl" is not id=url, got ["nourl"]',
          'KEEL_SESSION_TIMEOUT_MIN_MS must be an integer 1-86400000, got "1.5"',
          '--log-level must be one of trace, debug, info, warn, error, fatal, silent, got "loud"',
        ],
      },
    ]);
  });

  describe('refuses unknown keys, bad JSON and missing files', () => {
    refusesEach([
      { name: 'an unknown key', ...fileK('{"clientport":1}'), first: /^k: unknown key "clientport"/ },
      { name: 'bad JSON', ...fileK('{"id":'), first: /^k is not valid JSON: / },
      {
        name: 'JSON that is not an object',
        ...fileK('[1]'),
        problems: ['k must hold a JSON object of settings, got [1]'],
      },
      {
        name: 'a missing --config file',
        argv: ['--config', 'missing.json'],
        problems: ['--config file missing.json cannot be read (ENOENT)'],
      },
      {
        name: 'a missing KEEL_CONFIG file',
        env: { KEEL_CONFIG: 'gone.json' },
        problems: ['KEEL_CONFIG file gone.json cannot be read (ENOENT)'],
      },
    ]);
  });

  describe('refuses a flag given twice and a boolean flag with a value', () => {
    refusesEach([
      { name: 'a flag given twice', argv: ['--id', 'a', '--id', 'b'], problems: ['--id is given twice; give it once'] },
      {
        name: 'a boolean flag with a value',
        argv: ['--join=true'],
        problems: ['--join takes no value (leave the flag out for false), got "true"'],
      },
    ]);
  });

  describe('refuses bad values of every kind', () => {
    refusesEach([
      { name: 'a URL as host', argv: ['--host', 'http://x'], first: /^--host must be a host name or IP address/ },
      { name: 'a host with a port', argv: ['--host', 'h:80'], first: /^--host must be a host name/ },
      {
        name: 'a peer URL that is not ws',
        argv: ['--peer-url', 'http://h:1'],
        first: /^--peer-url must be a ws:\/\/ or wss:\/\/ URL/,
      },
      {
        name: 'a client URL with a path',
        argv: ['--client-url', 'ws://h:1/path'],
        first: /^--client-url must be a ws/,
      },
      {
        name: 'an empty data directory',
        argv: ['--data-dir', ''],
        problems: ['--data-dir must be a non-empty directory path, got ""'],
      },
      { name: 'a control character in the id', argv: ['--id', 'a\u0001b'], first: /^--id must be a member id/ },
      {
        name: 'a boolean that is not one',
        env: { KEEL_JOIN: 'yes' },
        problems: ['KEEL_JOIN must be true or false, got "yes"'],
      },
      {
        name: 'peers in the file as a list',
        ...fileK('{"peers":["a=ws://h:1"]}'),
        first: /^k: peers must be an object of member id to peer URL/,
      },
      {
        name: 'a peer URL in the file that is not ws',
        ...fileK('{"peers":{"a":"http://h"}}'),
        first: /the URL of "a" is not a ws:\/\/ or wss:\/\/ URL/,
      },
      {
        name: 'a peer listed twice',
        argv: ['--peer', 'a=ws://h:1', '--peer', 'a=ws://h:2', '--cluster-secret', 's'],
        first: /"a" is listed twice/,
      },
      {
        name: 'a data limit above what the protocol allows',
        argv: ['--max-data-bytes', '1048577'],
        problems: ['--max-data-bytes must be an integer 1-1048576, got "1048577"'],
      },
      {
        name: 'a request limit below its range',
        argv: ['--max-request-bytes', '10'],
        first: '--max-request-bytes must be an integer 1024-8388608, got "10"',
      },
      {
        name: 'a negative admin port',
        argv: ['--admin-port', '-1'],
        problems: ['--admin-port must be an integer 0-65535 or "off", got "-1"'],
      },
      { name: 'a zero tick', argv: ['--tick-ms', '0'], problems: ['--tick-ms must be an integer 1-10000, got "0"'] },
      {
        name: 'an election timeout of one tick',
        argv: ['--election-ticks', '1'],
        problems: ['--election-ticks must be an integer 2-1000, got "1"'],
      },
      {
        name: 'a negative snapshot interval',
        env: { KEEL_SNAPSHOT_EVERY_ENTRIES: '-1' },
        problems: ['KEEL_SNAPSHOT_EVERY_ENTRIES must be an integer 0-100000000, got "-1"'],
      },
      {
        name: 'a fraction and a string for numbers in the file',
        ...fileK('{"ttlCheckMs":1.5,"sendBufferBytesMax":"64"}'),
        problems: [
          'k: sendBufferBytesMax must be an integer 1024-17179869184, got "64"',
          'k: ttlCheckMs must be an integer 1-3600000, got 1.5',
        ],
      },
      {
        name: 'no watches per connection',
        argv: ['--max-watches-per-connection', '0'],
        problems: ['--max-watches-per-connection must be an integer 1-1000000, got "0"'],
      },
    ]);

    it('accepts an IPv6 host', () => {
      expect(start(['--host', '::1']).config.clientListen.host).toBe('::1');
    });
  });

  describe('requires a cluster secret when there are other members', () => {
    refusesEach([
      {
        name: 'another member without a secret',
        argv: ['--peer', 'b=ws://h:1'],
        problems: [
          'a cluster secret is required when there are other members: set KEEL_CLUSTER_SECRET (or --cluster-secret, or clusterSecret in the config file) to the same value on every member',
        ],
      },
    ]);

    it('counts a peer list naming only this member as a single member', () => {
      expect(start(['--id', 'a', '--peer', 'a=ws://h:1']).config.clusterSecretGenerated).toBe(true);
    });
  });

  describe('checks settings against each other', () => {
    refusesEach([
      {
        name: 'the shortest session timeout above the longest',
        argv: ['--session-timeout-min-ms', '5000', '--session-timeout-max-ms', '1000'],
        problems: [
          'the shortest session timeout (5000 ms, --session-timeout-min-ms) is above the longest (1000 ms, --session-timeout-max-ms); lower the first or raise the second',
        ],
      },
      {
        name: 'the shortest session timeout above the default longest',
        env: { KEEL_SESSION_TIMEOUT_MIN_MS: '50000' },
        first:
          /\(50000 ms, KEEL_SESSION_TIMEOUT_MIN_MS\) is above the longest \(40000 ms, the default of --session-timeout-max-ms\)/,
      },
      {
        name: 'a request limit without room for the largest data',
        argv: ['--max-request-bytes', '1048576'],
        problems: [
          'the request limit (1048576 bytes, --max-request-bytes) must be at least the data limit (1048576 bytes, the default of --max-data-bytes) plus 5120 bytes for the path and framing',
        ],
      },
      {
        name: 'pending request bytes below the request limit',
        argv: ['--max-pending-request-bytes', '10000'],
        problems: [
          'the pending request bytes (10000 bytes, --max-pending-request-bytes) must be at least the request limit (8388608 bytes, the default of --max-request-bytes) so that the largest request fits; raise the first or lower the second',
        ],
      },
      {
        name: 'a session report interval as long as the shortest session timeout',
        env: { KEEL_SESSION_REPORT_MS: '4000' },
        problems: [
          'the session report interval (4000 ms, KEEL_SESSION_REPORT_MS) must be below the shortest session timeout (4000 ms, the default of --session-timeout-min-ms), or sessions expire while their clients are still connected; lower the first or raise the second',
        ],
      },
      {
        name: 'a leaderless close delay above the shortest session timeout',
        argv: ['--leaderless-close-ms', '2000', '--session-timeout-min-ms', '1000'],
        problems: [
          'the leaderless close delay (2000 ms, --leaderless-close-ms) must be below the shortest session timeout (1000 ms, --session-timeout-min-ms), or sessions expire while their clients are still connected; lower the first or raise the second',
        ],
      },
      {
        name: 'a heartbeat as long as the election timeout',
        argv: ['--heartbeat-ticks', '10'],
        problems: [
          'the heartbeat interval (10 ticks, --heartbeat-ticks) must be below the election timeout (10 ticks, the default of --election-ticks), or followers start elections against a live leader; lower the first or raise the second',
        ],
      },
      {
        name: 'client and peer endpoints on one port',
        argv: ['--client-port', '5281'],
        problems: [
          'the client and peer endpoints both use port 5281 (--client-port, the default of --peer-port); give each its own port',
        ],
      },
      {
        name: 'joining without members to join',
        argv: ['--join'],
        first: '--join needs the members of the cluster to join: add --peer id=url for each',
      },
      {
        name: 'a peer URL that differs from the peer list',
        argv: ['--id', 'a', '--peer-url', 'ws://h:2', '--peer', 'a=ws://h:1'],
        first: /^--peer-url is ws:\/\/h:2 but --peer lists this member \(a\) at ws:\/\/h:1/,
      },
    ]);

    it('accepts settings that fit each other', () => {
      expect(start(['--max-request-bytes', '1053696']).config.limits.requestBytesMax).toBe(1053696);
      expect(
        start(['--max-pending-request-bytes', '10000', '--max-request-bytes', '10000', '--max-data-bytes', '100'])
          .options.pendingRequestBytesMax,
      ).toBe(10000);
      expect(start(['--heartbeat-ticks', '10', '--election-ticks', '11']).config.raft.heartbeatTicks).toBe(10);
      expect(start(['--client-port', '0', '--peer-port', '0', '--admin-port', '0']).config.admin?.port).toBe(0);
      expect(
        start(['--client-host', '10.0.0.1', '--peer-host', '10.0.0.2', '--peer-port', '5181']).config,
      ).toBeTruthy();
    });
  });
});

describe('configuration - usage text', () => {
  it('lists every flag and environment variable', () => {
    const text = usageText();
    for (const spec of settingSpecs) {
      expect(text).toContain(`--${spec.flag}`);
      expect(text).toContain(spec.env);
    }
  });
});
