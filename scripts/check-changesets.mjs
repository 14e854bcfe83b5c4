// Checks that every changeset is one `changeset version` can read: front matter between two
// `---` lines naming workspace packages and a bump, then a summary. A malformed one made
// `changeset status` and `changeset version` fail for every package until it was found by hand.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One line per problem found in `root`'s `.changeset` folder, where `packages` are the
 * workspace's package names; empty when all are well formed.
 */
export function changesetProblems(packages, root = '.') {
  const dir = join(root, '.changeset');
  if (!existsSync(dir)) return [];
  const problems = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.md') && name !== 'README.md')) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    const end = lines.indexOf('---', 1);
    if (lines[0] !== '---' || end < 2) {
      problems.push(`${file}: no front matter between two '---' lines`);
      continue;
    }
    for (const line of lines.slice(1, end)) {
      const match = /^"([^"]+)": (major|minor|patch)$/.exec(line);
      if (match === null) problems.push(`${file}: '${line}' is not "<package>": major|minor|patch`);
      else if (!packages.has(match[1])) problems.push(`${file}: ${match[1]} is not a workspace package`);
    }
    if (
      lines
        .slice(end + 1)
        .join('')
        .trim() === ''
    )
      problems.push(`${file}: no summary after the front matter`);
  }
  return problems;
}
