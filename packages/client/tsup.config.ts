import { defineConfig } from 'tsup';

// Two entries: `index` (Node: falls back to `ws`) and `browser` (the global WebSocket only).
// `ws` stays external and is imported lazily from the Node entry alone, so a browser bundle of
// `browser` never reaches it (test/browser-entry.test.ts checks this).
export default defineConfig({
  entry: { index: 'src/index.ts', browser: 'src/browser.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', browser: 'src/browser.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  external: ['ws', 'eventemitter3', '@keel/protocol'],
});
