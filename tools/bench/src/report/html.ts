/**
 * The self-contained HTML report: the run's context, per workload a throughput chart and a
 * latency chart (p50/p99/p999 per system) drawn as inline SVG, the ratio table and the issue's
 * targets. One file, no scripts, no external assets.
 */
import { type BenchRun, generatorBound, type TargetName } from '../results';
import { extraText } from './extra-text';
import { formatMs, formatRate, formatRatio, perWorkloadText, targetTitle } from './format';
import { checkGoals, checkP99Elsewhere, type GoalCheck, p99ElsewhereTitle } from './goals';
import { measured, ratiosOf, singleFigureOf, singleFigureWorkloads, targetsOf, workloadsOf } from './ratios';
import { type Bar, barChart, escapeXml } from './svg';

/** The colour of each system in every chart. */
export const targetColors: Readonly<Record<TargetName, string>> = {
  keel: '#2563eb',
  zookeeper: '#d97706',
  etcd: '#059669',
};

const styles = `
body { font: 14px/1.45 system-ui, -apple-system, Segoe UI, sans-serif; margin: 24px auto; max-width: 1000px; color: #111827; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; }
.context { color: #4b5563; }
.workload { margin: 18px 0 8px; }
.measures { color: #4b5563; margin: 2px 0 8px; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
svg .title { font-weight: 600; font-size: 13px; } svg .heading { font-size: 12px; fill: #374151; }
svg .label, svg .value { font-size: 12px; fill: #111827; }
table { border-collapse: collapse; margin: 8px 0; } th, td { border: 1px solid #e5e7eb; padding: 4px 8px; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.met { color: #047857; font-weight: 600; } .missed { color: #b91c1c; font-weight: 600; } .unknown { color: #6b7280; }
.warn { color: #b45309; } .failed { color: #b91c1c; }
.legend span { display: inline-block; margin-right: 16px; } .legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; }
`;

function workloadSection(run: BenchRun, workload: string, measures: string | undefined): string {
  const targets = targetsOf(run);
  const throughputBars: Bar[] = [];
  const latencyGroups = [];
  const problems: string[] = [];
  for (const target of targets) {
    const result = measured(run, workload, target);
    const color = targetColors[target];
    if (result === undefined) {
      const failed = run.results.find((candidate) => candidate.workload === workload && candidate.target === target);
      if (failed !== undefined) {
        const why = failed.status === 'failed' ? `failed: ${failed.error ?? ''}` : `not done: ${failed.note ?? ''}`;
        problems.push(`<li class="failed">${escapeXml(targetTitle(target))}: ${escapeXml(why)}</li>`);
      }
      continue;
    }
    throughputBars.push({
      label: targetTitle(target),
      value: result.opsPerSec,
      color,
      text: `${formatRate(result.opsPerSec)}/s`,
    });
    const { latency } = result;
    latencyGroups.push({
      heading: targetTitle(target),
      bars: [
        { label: 'p50', value: latency.p50Ms, color, text: `${formatMs(latency.p50Ms)} ms` },
        { label: 'p99', value: latency.p99Ms, color, text: `${formatMs(latency.p99Ms)} ms` },
        { label: 'p999', value: latency.p999Ms, color, text: `${formatMs(latency.p999Ms)} ms` },
      ],
    });
    const notes: string[] = [];
    if (generatorBound(result)) {
      const loop = Math.round((result.generatorLoopBusy ?? 0) * 100);
      notes.push(
        `<span class="warn">generator CPU ${Math.round(result.generatorCpu * 100)}%, event loop ${loop}% busy: the generator may be the limit</span>`,
      );
    }
    const extra = extraText(result);
    if (extra !== '') notes.push(escapeXml(extra));
    if (result.errors > 0) notes.push(`${result.errors} errors`);
    if (result.note !== undefined) notes.push(escapeXml(result.note));
    if (notes.length > 0) problems.push(`<li>${escapeXml(targetTitle(target))}: ${notes.join('; ')}</li>`);
  }
  const figureBars: Bar[] = [];
  if (singleFigureWorkloads.includes(workload)) {
    for (const target of targets) {
      const result = measured(run, workload, target);
      const value = result === undefined ? undefined : singleFigureOf(result);
      if (value !== undefined) {
        figureBars.push({
          label: targetTitle(target),
          value,
          color: targetColors[target],
          text: `${formatMs(value)} ms`,
        });
      }
    }
  }
  const figureTitle =
    workload === 'failover'
      ? 'Unavailable after the leader was killed (ms, lower is better)'
      : 'Restart until serving (ms, lower is better)';
  const charts =
    throughputBars.length === 0
      ? '<p class="failed">No system was measured.</p>'
      : figureBars.length > 0
        ? `<div class="charts">${barChart(figureTitle, [{ heading: '', bars: figureBars }])}${barChart('Writes during the run (ops/s)', [{ heading: '', bars: throughputBars }])}</div>`
        : `<div class="charts">${barChart('Throughput (ops/s, higher is better)', [{ heading: '', bars: throughputBars }])}${barChart('Latency (ms, lower is better)', latencyGroups)}</div>`;
  return `<section class="workload"><h3>${escapeXml(workload)}</h3>${
    measures === undefined ? '' : `<p class="measures">${escapeXml(measures)}</p>`
  }${charts}${problems.length === 0 ? '' : `<ul>${problems.join('')}</ul>`}</section>`;
}

/** The HTML report; `measures` describes each workload (by name). */
export function htmlReport(run: BenchRun, measures: Readonly<Record<string, string>> = {}): string {
  const { info } = run;
  const targets = targetsOf(run);
  const legend = targets
    .map((target) => `<span><i style="background:${targetColors[target]}"></i>${escapeXml(targetTitle(target))}</span>`)
    .join('');
  const versions = Object.entries(info.versions)
    .map(([target, version]) => `${targetTitle(target)} ${version}`)
    .join(', ');
  const ratioRows = ratiosOf(run)
    .map(
      (row) =>
        `<tr><td>${escapeXml(row.workload)}</td><td class="num">${formatRatio(row.throughput.zookeeper)}</td><td class="num">${formatRatio(row.throughput.etcd)}</td><td class="num">${formatRatio(row.p99.zookeeper)}</td><td class="num">${formatRatio(row.p99.etcd)}</td></tr>`,
    )
    .join('');
  const goalRow = (check: GoalCheck): string =>
    `<tr><td>${escapeXml(check.goal)}</td><td class="${check.status}">${check.status}</td><td>${escapeXml(check.detail)}</td></tr>`;
  const goalRows = checkGoals(run).map(goalRow).join('');
  const elsewhere = checkP99Elsewhere(run);
  const elsewhereTable =
    elsewhere.length === 0
      ? ''
      : `\n<p>${escapeXml(p99ElsewhereTitle)}</p>\n<table><tr><th>check</th><th>status</th><th>Keel</th></tr>${elsewhere.map(goalRow).join('')}</table>`;
  const context = `${info.quick ? 'Quick' : 'Full'} run started ${escapeXml(info.startedAt)}: ${perWorkloadText(info)}, ${info.inflight} in flight over ${info.clients} sessions, ${info.generators} generator process(es), ${info.order === 'sequential' ? 'one cluster at a time' : 'clusters up together, workloads interleaved'}. Machine: ${info.machine.cpus} × ${escapeXml(info.machine.cpuModel)}, ${info.machine.memoryGiB} GiB, Node ${escapeXml(info.machine.node)}, load average at start ${info.machine.loadAverage.map((value) => value.toFixed(2)).join(' ')}. ${versions === '' ? '' : `${escapeXml(versions)}; `}three members each on loopback, fsync on.`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Keel benchmark ${escapeXml(info.startedAt)}</title><style>${styles}</style></head>
<body>
<h1>Keel vs ZooKeeper vs etcd</h1>
<p class="context">${context}</p>
<p class="legend">${legend}</p>
<h2>Targets (issue #6)</h2>
<table><tr><th>target</th><th>status</th><th>Keel</th></tr>${goalRows}</table>${elsewhereTable}
<h2>Keel / peer</h2>
<p>Throughput ratio above 1: Keel does more. p99 ratio below 1: Keel answers faster.</p>
<table><tr><th>workload</th><th>ops/s Keel/ZooKeeper</th><th>ops/s Keel/etcd</th><th>p99 Keel/ZooKeeper</th><th>p99 Keel/etcd</th></tr>${ratioRows}</table>
<h2>Workloads</h2>
${workloadsOf(run)
  .map((workload) => workloadSection(run, workload, measures[workload]))
  .join('\n')}
</body></html>
`;
}
