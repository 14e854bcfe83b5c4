/**
 * Command-line flags of `keel-server`, parsed with `node:util`'s `parseArgs` into server options.
 */
import { parseArgs } from 'node:util';
import type { KeelServerOptions } from '../server/options';

/** Defaults of a single-node member started without flags. */
export const cliDefaults = Object.freeze({
  id: 'keel-1',
  dataDir: './data',
  host: '127.0.0.1',
  clientPort: 5181,
  peerPort: 5182,
  clusterSecret: 'keel-dev-secret',
});

/** What the command line asked for: options to start with, or help text to print. */
export type CliRequest = { readonly kind: 'start'; readonly options: KeelServerOptions } | { readonly kind: 'help' };

/** Usage text. */
export const usage = `Usage: keel-server [options]

  --id <id>              member id (default ${cliDefaults.id})
  --data-dir <dir>       durable log directory (default ${cliDefaults.dataDir})
  --host <host>          address to listen on (default ${cliDefaults.host})
  --client-port <port>   client WebSocket port (default ${cliDefaults.clientPort})
  --peer-port <port>     peer WebSocket port (default ${cliDefaults.peerPort})
  --peer <id=url>        another member (repeatable); without any, a single-node cluster
  --cluster-secret <s>   shared peer secret (default: $KEEL_CLUSTER_SECRET or a dev secret)
  -h, --help             this text
`;

/** Parses `argv` (without node and script); throws an Error with a readable message on bad flags. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliRequest {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      id: { type: 'string' },
      'data-dir': { type: 'string' },
      host: { type: 'string' },
      'client-port': { type: 'string' },
      'peer-port': { type: 'string' },
      peer: { type: 'string', multiple: true },
      'cluster-secret': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return { kind: 'help' };
  const host = values.host ?? cliDefaults.host;
  const peers: Record<string, string> = {};
  for (const spec of values.peer ?? []) {
    const at = spec.indexOf('=');
    if (at <= 0 || at === spec.length - 1) throw new Error(`--peer must be id=ws://host:port, got ${spec}`);
    peers[spec.slice(0, at)] = spec.slice(at + 1);
  }
  const options: KeelServerOptions = {
    id: values.id ?? cliDefaults.id,
    dataDir: values['data-dir'] ?? cliDefaults.dataDir,
    clientListen: { host, port: port(values['client-port'], cliDefaults.clientPort, '--client-port') },
    peerListen: { host, port: port(values['peer-port'], cliDefaults.peerPort, '--peer-port') },
    clusterSecret: values['cluster-secret'] ?? env.KEEL_CLUSTER_SECRET ?? cliDefaults.clusterSecret,
    ...(Object.keys(peers).length === 0 ? {} : { peers }),
  };
  return { kind: 'start', options };
}

function port(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65_535) throw new Error(`${flag} must be a port number, got ${value}`);
  return parsed;
}
