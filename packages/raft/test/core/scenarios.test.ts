/**
 * Goal: check the Raft core's behaviour in readable, whole-cluster scenarios (election,
 * replication, conflicts, snapshots, membership, transfer, reads).
 * Method: each `scenarios/*.txt` script is run by a small interpreter over in-memory members
 * whose network is a queue the script delivers, drops or partitions; the printed output must
 * equal the expected output stored in the script. `REWRITE=1` rewrites the files for review.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from './interpreter';

const dir = join(__dirname, 'scenarios');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.txt'))
  .sort();

describe('raft scenarios', () => {
  for (const file of files) {
    it(file, () => {
      const path = join(dir, file);
      const text = readFileSync(path, 'utf8');
      const actual = runScenario(text);
      if (process.env.REWRITE === '1') writeFileSync(path, actual);
      else expect(actual).toBe(text);
    });
  }
});
