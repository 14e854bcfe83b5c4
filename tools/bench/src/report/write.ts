/** Writes a run's raw JSON, Markdown and HTML reports into the results directory. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BenchRun } from '../results';
import { htmlReport } from './html';
import { markdownReport } from './markdown';

/** Paths of the files written for one run. */
export interface WrittenReport {
  readonly json: string;
  readonly markdown: string;
  readonly html: string;
}

/** A file-name-safe timestamp (`2026-11-26T01-23-45Z`). */
export function fileStamp(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/** Writes `<stamp>.json`, `<stamp>.md` and `<stamp>.html` into `dir`. */
export function writeReports(dir: string, run: BenchRun, measures: Readonly<Record<string, string>>): WrittenReport {
  const out = resolve(dir);
  mkdirSync(out, { recursive: true });
  const stamp = fileStamp(run.info.startedAt);
  const paths = {
    json: join(out, `${stamp}.json`),
    markdown: join(out, `${stamp}.md`),
    html: join(out, `${stamp}.html`),
  };
  writeFileSync(paths.json, `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(paths.markdown, markdownReport(run));
  writeFileSync(paths.html, htmlReport(run, measures));
  return paths;
}
