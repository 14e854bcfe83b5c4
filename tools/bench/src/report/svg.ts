/**
 * Small inline SVG charts for the HTML report: horizontal bars with value labels. No scripts and
 * no external assets, so the report opens anywhere.
 */

/** One bar: a label, a value, a colour and the text printed after the bar. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly color: string;
  readonly text: string;
}

/** A group of bars under a heading (e.g. one system's p50/p99/p999). */
export interface BarGroup {
  readonly heading: string;
  readonly bars: readonly Bar[];
}

/** Escapes text for XML/HTML. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const width = 460;
const labelWidth = 110;
const textWidth = 90;
const barHeight = 18;
const gap = 6;
const headingHeight = 20;

/** A horizontal bar chart; groups are stacked, bars share one linear scale. */
export function barChart(title: string, groups: readonly BarGroup[]): string {
  const max = Math.max(0, ...groups.flatMap((group) => group.bars.map((bar) => bar.value)));
  const span = width - labelWidth - textWidth;
  const parts: string[] = [];
  let y = 24;
  parts.push(`<text x="0" y="14" class="title">${escapeXml(title)}</text>`);
  for (const group of groups) {
    if (group.heading !== '') {
      y += 4;
      parts.push(`<text x="0" y="${y + 12}" class="heading">${escapeXml(group.heading)}</text>`);
      y += headingHeight;
    }
    for (const bar of group.bars) {
      const length = max > 0 && bar.value > 0 ? Math.max(1, (bar.value / max) * span) : 0;
      parts.push(
        `<text x="${labelWidth - 6}" y="${y + barHeight - 5}" class="label" text-anchor="end">${escapeXml(bar.label)}</text>`,
      );
      parts.push(
        `<rect x="${labelWidth}" y="${y}" width="${length.toFixed(1)}" height="${barHeight}" fill="${bar.color}" rx="2"><title>${escapeXml(`${bar.label}: ${bar.text}`)}</title></rect>`,
      );
      parts.push(
        `<text x="${(labelWidth + length + 4).toFixed(1)}" y="${y + barHeight - 5}" class="value">${escapeXml(bar.text)}</text>`,
      );
      y += barHeight + gap;
    }
  }
  const height = y + 4;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">${parts.join('')}</svg>`;
}
