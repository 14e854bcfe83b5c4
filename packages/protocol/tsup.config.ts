import { defineConfig } from 'tsup';

// Neutral platform: the protocol runs in Node and in browsers, so nothing Node-only may be bundled.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
});
