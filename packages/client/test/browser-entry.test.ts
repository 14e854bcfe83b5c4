// Goal: the browser entry never pulls `ws` into a browser bundle, and it works over the
// platform's global WebSocket class.
// Method: bundle `src/browser.ts` for the browser with esbuild (the bundler tsup uses) and look
// at every module in the bundle, with the Node entry as the control that does contain `ws`;
// then install a global WebSocket class (`ws`'s WHATWG-style class, a real socket) and run the
// browser entry against a real member.

import type { KeelServer } from '@keel/server';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';
import { startSingle, tempDir } from './harness';

const packageRoot = new URL('..', import.meta.url).pathname;

async function bundledModules(
  entry: string,
  platform: 'browser' | 'node',
): Promise<{ inputs: string[]; code: string }> {
  const result = await build({
    entryPoints: [`${packageRoot}${entry}`],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform,
    conditions: ['@keel/source'],
    logLevel: 'silent',
  });
  return { inputs: Object.keys(result.metafile.inputs), code: result.outputFiles.map((file) => file.text).join('\n') };
}

const fromWs = (input: string): boolean => /(^|\/)node_modules\/ws\//.test(input);

describe('browser entry', () => {
  it('bundles for browsers without ws, while the Node entry includes it', async () => {
    const browser = await bundledModules('src/browser.ts', 'browser');
    expect(browser.inputs.some((input) => input.includes('src/browser.ts'))).toBe(true);
    expect(browser.inputs.filter(fromWs)).toEqual([]);
    expect(browser.code).not.toMatch(/require\(["']ws["']\)|from ["']ws["']|import\(["']ws["']\)/);

    const node = await bundledModules('src/index.ts', 'node');
    expect(node.inputs.filter(fromWs).length).toBeGreaterThan(0);
  });

  describe('over a global WebSocket', () => {
    let server: KeelServer;
    let cleanup: () => Promise<void>;
    const globals = globalThis as { WebSocket?: unknown };
    const previous = globals.WebSocket;

    beforeAll(async () => {
      const temp = await tempDir();
      cleanup = temp.cleanup;
      server = await startSingle(temp.dir);
    });

    afterAll(async () => {
      globals.WebSocket = previous;
      await server?.stop();
      await cleanup?.();
    });

    it('refuses to connect when the platform has no WebSocket', async () => {
      globals.WebSocket = undefined;
      const { connect } = await import('../src/browser');
      await expect(connect({ servers: [server.clientUrl] })).rejects.toMatchObject({ code: 'BadArguments' });
    });

    it('runs operations and watches over the global class', async () => {
      const constructed: string[] = [];
      // A subclass only to record that the client used the global class; the socket is ws's own.
      globals.WebSocket = class RecordingWebSocket extends WsWebSocket {
        constructor(url: string) {
          super(url);
          constructed.push(url);
        }
      };
      const { connect, toText } = await import('../src/browser');
      const client = await connect({ servers: [server.clientUrl] });
      expect(constructed).toEqual([server.clientUrl]);
      const stream = client.watch('/browser');
      await stream.ready;
      await client.create('/browser', 'hello');
      expect(toText((await client.get('/browser')).data)).toBe('hello');
      for await (const event of stream) {
        expect(event).toMatchObject({ type: 'created', path: '/browser' });
        break;
      }
      await client.close();
      expect(client.state).toBe('closed');
    });
  });
});
