// Goal: the package stays usable in browsers: no Node-only API and no runtime dependency.
// Method: scan every source file (loaded as raw text through Vite's glob import) for Node
// modules and globals, and check package.json declares no dependencies.
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json';

const sources = (import.meta as unknown as { glob: (pattern: string, options: object) => Record<string, string> }).glob(
  '../src/**/*.ts',
  { query: '?raw', import: 'default', eager: true },
);

describe('portability', () => {
  it('finds the sources', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(10);
  });

  it.each(Object.entries(sources))('%s uses no Node-only API', (_file, text) => {
    // Comments may mention Node (to explain why a choice was made); code may not use it.
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    expect(code).not.toMatch(
      /from ['"]node:|require\(|\bBuffer\b|\bprocess\.|\b__dirname\b|from ['"](fs|path|zlib|crypto|os)['"]/,
    );
  });

  it('has no runtime dependencies', () => {
    expect(packageJson).not.toHaveProperty('dependencies');
    expect(packageJson).not.toHaveProperty('peerDependencies');
  });
});
