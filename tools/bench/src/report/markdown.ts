/**
 * The Markdown report: per-workload results, Keel/peer ratios, the targets, and the
 * run's context (printed to stdout and written beside the raw JSON).
 */
import { type BenchRun, generatorBottleneckCpu, generatorBound, type WorkloadResult } from '../results';
import { extraText } from './extra-text';
import { formatMs, formatRate, formatRatio, perWorkloadText, targetTitle } from './format';
import { checkGoals, checkP99Elsewhere, type GoalCheck, p99ElsewhereTitle } from './goals';
import { measured, ratiosOf, singleFigureOf, singleFigureWorkloads, targetsOf, workloadsOf } from './ratios';

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function resultRow(result: WorkloadResult): string {
  const target = targetTitle(result.target);
  if (result.status !== 'ok') {
    const why = result.status === 'failed' ? `failed: ${result.error ?? ''}` : `not done: ${result.note ?? ''}`;
    return `| ${result.workload} | ${target} | — | — | — | — | — | — | ${escapeCell(why)} |`;
  }
  const loop = result.generatorLoopBusy === undefined ? '' : ` (loop ${Math.round(result.generatorLoopBusy * 100)}%)`;
  const cpu = `${Math.round(result.generatorCpu * 100)}%${loop}${generatorBound(result) ? ' ⚠' : ''}`;
  const notes = [extraText(result), result.note ?? ''].filter((text) => text !== '').join('; ');
  const { latency } = result;
  return `| ${result.workload} | ${target} | ${formatRate(result.opsPerSec)} | ${formatMs(latency.p50Ms)} | ${formatMs(latency.p99Ms)} | ${formatMs(latency.p999Ms)} | ${result.errors} | ${cpu} | ${escapeCell(notes)} |`;
}

/** The whole Markdown report of a run. */
export function markdownReport(run: BenchRun): string {
  const { info } = run;
  const lines: string[] = [];
  const mode = info.quick ? 'quick' : 'full';
  lines.push(`# Keel benchmark, ${info.startedAt}`);
  lines.push('');
  lines.push(
    `${mode} run, ${perWorkloadText(info)}, ${info.inflight} in flight over ${info.clients} sessions, ${info.generators} generator process(es), ${info.order === 'sequential' ? 'one cluster at a time' : 'clusters up together, workloads interleaved'}. Machine: ${info.machine.cpus} × ${info.machine.cpuModel}, ${info.machine.memoryGiB} GiB, Node ${info.machine.node}, load average at start ${info.machine.loadAverage.map((value) => value.toFixed(2)).join(' ')}.`,
  );
  const versions = Object.entries(info.versions)
    .map(([target, version]) => `${targetTitle(target)} ${version}`)
    .join(', ');
  if (versions !== '') lines.push('', `Versions: ${versions}. Three members each, on loopback, fsync on.`);
  lines.push('');
  lines.push('## Results');
  lines.push('');
  lines.push('| workload | system | ops/s | p50 ms | p99 ms | p999 ms | errors | generator CPU | notes |');
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---|');
  const order = targetsOf(run);
  for (const workload of workloadsOf(run)) {
    for (const target of order) {
      const result = run.results.find((candidate) => candidate.workload === workload && candidate.target === target);
      if (result !== undefined) lines.push(resultRow(result));
    }
  }
  lines.push('');
  lines.push(
    `Generator CPU is the load generator's share of one core, loop its event-loop utilisation (the busiest generator process); ⚠ either above ${Math.round(generatorBottleneckCpu * 100)}%: the generator, not the system, may be the limit.`,
  );
  const ratios = ratiosOf(run).filter(
    (row) => Object.keys(row.throughput).length > 0 || Object.keys(row.p99).length > 0,
  );
  if (ratios.length > 0) {
    lines.push('');
    lines.push('## Keel / peer');
    lines.push('');
    lines.push('Throughput ratio above 1: Keel does more. p99 ratio below 1: Keel answers faster.');
    lines.push('');
    lines.push('| workload | ops/s Keel/ZooKeeper | ops/s Keel/etcd | p99 Keel/ZooKeeper | p99 Keel/etcd |');
    lines.push('|---|---:|---:|---:|---:|');
    for (const row of ratios) {
      lines.push(
        `| ${row.workload} | ${formatRatio(row.throughput.zookeeper)} | ${formatRatio(row.throughput.etcd)} | ${formatRatio(row.p99.zookeeper)} | ${formatRatio(row.p99.etcd)} |`,
      );
    }
  }
  const single = workloadsOf(run).filter((workload) => singleFigureWorkloads.includes(workload));
  if (single.length > 0) {
    lines.push('');
    lines.push('## Failover, snapshot and restart (ms, lower is better)');
    lines.push('');
    lines.push(`| workload | ${order.map(targetTitle).join(' | ')} |`);
    lines.push(`|---|${order.map(() => '---:').join('|')}|`);
    for (const workload of single) {
      const cells = order.map((target) => {
        const result = measured(run, workload, target);
        const value = result === undefined ? undefined : singleFigureOf(result);
        return result === undefined ? '—' : value === undefined ? 'did not recover' : formatMs(value);
      });
      lines.push(`| ${workload} | ${cells.join(' | ')} |`);
    }
  }
  lines.push('');
  lines.push('## Targets (issue #6)');
  lines.push('');
  lines.push('| target | status | Keel |');
  lines.push('|---|---|---|');
  const goalRow = (check: GoalCheck): string => `| ${check.goal} | ${check.status} | ${escapeCell(check.detail)} |`;
  lines.push(...checkGoals(run).map(goalRow));
  lines.push('');
  const elsewhere = checkP99Elsewhere(run);
  if (elsewhere.length > 0) {
    lines.push(p99ElsewhereTitle);
    lines.push('');
    lines.push('| check | status | Keel |');
    lines.push('|---|---|---|');
    lines.push(...elsewhere.map(goalRow));
    lines.push('');
  }
  return lines.join('\n');
}
