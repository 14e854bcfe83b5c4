// Goal: from fixed results, the reports compute Keel/peer ratios pair by pair, check the issue's
// targets correctly, flag a busy generator, show failures, and produce a self-contained HTML page
// with one chart per workload.
// Method: feed the fixed run of fixtures.ts (figures chosen so each target has a known outcome)
// to the ratio, goal, Markdown and HTML functions and check their output.
import { describe, expect, it } from 'vitest';
import { checkGoals, checkP99Elsewhere } from '../src/report/goals';
import { htmlReport } from '../src/report/html';
import { markdownReport } from '../src/report/markdown';
import { ratiosOf } from '../src/report/ratios';
import { barChart, escapeXml } from '../src/report/svg';
import { fileStamp } from '../src/report/write';
import { sampleRun } from './fixtures';

describe('report - ratios', () => {
  it('computes Keel/peer throughput and p99 ratios per workload', () => {
    const byWorkload = Object.fromEntries(ratiosOf(sampleRun).map((row) => [row.workload, row]));
    expect(byWorkload.create?.throughput.zookeeper).toBeCloseTo(2.4, 10);
    expect(byWorkload.create?.throughput.etcd).toBeCloseTo(1.2, 10);
    expect(byWorkload.create?.p99.zookeeper).toBeCloseTo(0.5, 10);
    expect(byWorkload.mixed?.p99.etcd).toBeCloseTo(0.6, 10);
  });

  it('keeps failover out of the throughput/latency ratios', () => {
    expect(ratiosOf(sampleRun).map((row) => row.workload)).not.toContain('failover');
  });

  it('leaves out a pair where one side failed', () => {
    const lock = ratiosOf(sampleRun).find((row) => row.workload === 'lock-2');
    expect(lock?.throughput.zookeeper).toBeCloseTo(1.5, 10);
    expect(lock?.throughput.etcd).toBeUndefined();
  });
});

describe('report - targets of the issue', () => {
  it('marks each target met, missed or unknown from the figures', () => {
    const status = Object.fromEntries(checkGoals(sampleRun).map((check) => [check.goal, check.status]));
    expect(status['create: Keel >= 2x ZooKeeper ops/s']).toBe('met'); // 2.4x
    expect(status['create: Keel >= 1.5x etcd ops/s']).toBe('missed'); // 1.2x
    expect(status['mixed: Keel >= 2x ZooKeeper ops/s']).toBe('met'); // 3x
    expect(status['mixed: Keel >= 1.5x etcd ops/s']).toBe('met'); // 2.25x
    expect(status["create: Keel p99 <= the better peer's p99"]).toBe('met'); // 20 <= 25
    expect(status["mixed: Keel p99 <= the better peer's p99"]).toBe('missed'); // 30 > 20
    expect(status['failover: writes succeed again < 1 s after the leader is killed']).toBe('met'); // 750 ms
    expect(status['lock-2: Keel >= 2x ZooKeeper ops/s']).toBe('missed'); // 1.5x
    expect(status['lock-32: Keel >= 2x ZooKeeper ops/s']).toBe('unknown');
  });

  it('checks p99 in every other workload with a peer for the wider reading, apart from the targets', () => {
    // lock-2: Keel 10 ms, ZooKeeper 12 ms, etcd failed; watch-fanout has no peer; failover is a single figure.
    expect(checkP99Elsewhere(sampleRun)).toEqual([
      { goal: "lock-2: Keel p99 <= the better peer's p99", status: 'met', detail: '10 ms vs 12 ms (one peer only)' },
    ]);
    const slower = {
      ...sampleRun,
      results: sampleRun.results.map((result) =>
        result.workload === 'lock-2' && result.target === 'keel'
          ? { ...result, latency: { ...result.latency, p99Ms: 15 } }
          : result,
      ),
    };
    expect(checkP99Elsewhere(slower).map((check) => check.status)).toEqual(['missed']);
    expect(checkGoals(slower)).toEqual(checkGoals(sampleRun));
    const markdown = markdownReport(slower);
    expect(markdown).toContain('p99 in the other workloads, for the wider reading');
    expect(markdown).toContain(
      "| lock-2: Keel p99 <= the better peer's p99 | missed | 15 ms vs 12 ms (one peer only) |",
    );
    expect(htmlReport(slower)).toContain('<td class="missed">missed</td><td>15 ms vs 12 ms (one peer only)</td>');
  });

  it('counts a failover that never recovered as missed', () => {
    const run = {
      ...sampleRun,
      results: sampleRun.results.map((result) =>
        result.workload === 'failover' && result.target === 'keel'
          ? { ...result, extra: { unavailableMs: Number.NaN } }
          : result,
      ),
    };
    const failover = checkGoals(run).find((check) => check.goal.startsWith('failover'));
    expect(failover?.status).toBe('missed');
  });
});

describe('report - markdown', () => {
  const markdown = markdownReport(sampleRun);

  it('has one row per workload and system with rates, latencies and ratios', () => {
    expect(markdown).toContain('| create | Keel | 12,000 | 5.00 | 20.0 | 40.0 | 0 | 40% |  |');
    expect(markdown).toContain('| create | 2.40x | 1.20x | 0.50x | 0.80x |');
    expect(markdown).toContain('quick run, 1 s warm-up + 3 s measured per workload');
  });

  it('says when a run had no warm-up (or predates it)', () => {
    const { warmupSec: _, ...withoutWarmup } = sampleRun.info;
    for (const info of [withoutWarmup, { ...sampleRun.info, warmupSec: 0 }]) {
      expect(markdownReport({ ...sampleRun, info })).toContain('quick run, 3 s measured per workload, no warm-up');
    }
  });

  it('flags a generator above 85% of a core or of event-loop time, and escapes pipes in errors', () => {
    expect(markdown).toContain('95% ⚠');
    // A saturated event loop with little CPU: the cores were taken by other processes.
    expect(markdown).toContain('| lock-2 | Keel | 300 | 2.50 | 10.0 | 20.0 | 0 | 30% (loop 97%) ⚠ |');
    expect(markdown).toContain('failed: lease grant failed \\| oops');
  });

  it('reports failover unavailability, fan-out details and the load average', () => {
    expect(markdown).toContain('unavailable 750 ms');
    expect(markdown).toContain('| failover | 750 | 1200 | — |');
    expect(markdown).toContain(
      'from send p50 3.00 / p99 9.00 ms, 25% of events before the ack, machine 4% busy before (waited 500 ms), load 3.3',
    );
  });
});

describe('report - html', () => {
  const html = htmlReport(sampleRun, { create: 'Creates <100 B> nodes' });

  it('is one self-contained page with two charts per measured workload', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(html.match(/<svg /g)?.length).toBe(5 * 2);
    expect(html).toContain('Creates &lt;100 B&gt; nodes');
    expect(html).toContain('generator CPU 95%');
    expect(html).toContain('Unavailable after the leader was killed');
    expect(html).toContain('failed: lease grant failed | oops');
    expect(html).toContain('1 s warm-up + 3 s measured per workload');
  });
});

describe('report - svg and names', () => {
  it('draws bars proportional to their values', () => {
    const svg = barChart('t', [
      {
        heading: '',
        bars: [
          { label: 'a', value: 100, color: '#000', text: '100' },
          { label: 'b', value: 50, color: '#000', text: '50' },
        ],
      },
    ]);
    const widths = [...svg.matchAll(/<rect [^>]*width="([\d.]+)"/g)].map((match) => Number(match[1]));
    expect(widths).toHaveLength(2);
    expect(widths[0]).toBeCloseTo((widths[1] ?? 0) * 2, 5);
  });

  it('escapes markup and makes file-safe timestamps', () => {
    expect(escapeXml('<a & "b">')).toBe('&lt;a &amp; &quot;b&quot;&gt;');
    expect(fileStamp('2026-11-26T01:02:03.456Z')).toBe('2026-11-26T01-02-03Z');
  });
});
