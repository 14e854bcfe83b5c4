// Goal: the chaos:check CLI prints per-key failures and a summary line, and exits 0 / 1 / 2 / 3.
// Method: call the CLI's exported main() in-process on fixture files, capturing its output.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('chaos:check', () => {
  it('exits 0 on a linearizable history and prints only the summary', async () => {
    const { code, out } = await run([fixture('linearizable.jsonl')]);
    expect(code).toBe(0);
    expect(out).toEqual(['chaos-check: 5 ops, 2 keys, linearizable yes']);
  });

  it('exits 1 on a stale read and explains the failing key', async () => {
    const { code, out } = await run([fixture('stale-read.jsonl')]);
    expect(code).toBe(1);
    expect(out[0]).toBe('key x: NOT linearizable');
    expect(out.join('\n')).toContain('cannot place: read("a") by 2 [4, 5] ok');
    expect(out.join('\n')).not.toContain('key y');
    expect(out.at(-1)).toBe('chaos-check: 4 ops, 2 keys, linearizable no');
  });

  it('exits 2 naming the bad line, a missing file, or bad usage', async () => {
    const bad = await run([fixture('bad-line.jsonl')]);
    expect(bad.code).toBe(2);
    expect(bad.err.join('\n')).toContain('line 2');
    expect((await run([fixture('missing.jsonl')])).code).toBe(2);
    expect((await run([])).code).toBe(2);
    expect((await run(['--steps-max', 'x', fixture('linearizable.jsonl')])).code).toBe(2);
  });

  it('exits 3 when the step budget is exhausted', async () => {
    const { code, out } = await run(['--steps-max', '1', fixture('stale-read.jsonl')]);
    expect(code).toBe(3);
    expect(out.at(-1)).toBe('chaos-check: 4 ops, 2 keys, linearizable unknown');
  });
});
