import { defineConfig } from 'tsup';

// Neutral platform: recipes run wherever the client runs (Node and browsers); siblings stay external.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
});
