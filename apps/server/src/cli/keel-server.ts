#!/usr/bin/env node
/**
 * `keel-server`: starts one Keel member and prints where clients connect. Stops cleanly (log
 * made durable, clients told) on SIGINT or SIGTERM.
 */
import { KeelServer } from '../server/keel-server';
import { parseCli, usage } from './args';

async function main(): Promise<void> {
  let request: ReturnType<typeof parseCli>;
  try {
    request = parseCli(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  if (request.kind === 'help') {
    process.stdout.write(usage);
    return;
  }
  const server = await KeelServer.start(request.options);
  process.stdout.write(
    `keel-server ${server.id} ready\n  clients: ${server.clientUrl}\n  peers:   ${server.peerUrl}\n`,
  );
  const stop = (): void => {
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`keel-server failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
