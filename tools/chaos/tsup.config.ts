import { defineConfig } from 'tsup';

// Node platform: the checker CLI reads files; the library itself is plain computation.
export default defineConfig({
  entry: { index: 'src/index.ts', 'cli/check': 'src/cli/check.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'node',
});
