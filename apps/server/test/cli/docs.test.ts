// Goal: the configuration tables in docs/configuration.md and the server README name every
// setting the parser accepts, with its flag, environment variable, file key and numeric
// default, so the docs cannot silently fall behind the code.
// Method: read both Markdown files and look for each setting's row in them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settingSpecs } from '../../src/cli/config-schema';

const documents = {
  'docs/configuration.md': readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8'),
  'apps/server/README.md': readFileSync(new URL('../../README.md', import.meta.url), 'utf8'),
};

describe('configuration docs', () => {
  for (const [name, text] of Object.entries(documents)) {
    it(`${name} has a row for every setting`, () => {
      for (const spec of settingSpecs) {
        const row = text
          .split('\n')
          .find((line) => line.startsWith(`| \`--${spec.flag} `) || line.startsWith(`| \`--${spec.flag}\``));
        expect(row, `row of --${spec.flag}`).toBeDefined();
        expect(row).toContain(`\`${spec.env}\``);
        expect(row).toContain(`\`${spec.key}\``);
        if (/^\d+$/.test(spec.defaultText)) expect(row).toContain(`\`${spec.defaultText}\``);
      }
    });
  }
});
