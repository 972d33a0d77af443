// The terminal form of a report: one aligned Markdown table per group (so it can be pasted into bench/RESULTS.md).
import type { BenchReport, Group, Series } from './model.js';

function num(x: number | undefined): string {
  if (x === undefined) return '';
  if (Number.isInteger(x)) return String(x);
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function details(s: Series): string {
  const parts = Object.entries(s.extra ?? {}).map(([k, v]) => `${k} ${typeof v === 'number' ? num(v) : v}`);
  if (s.note) parts.push(s.note);
  return parts.join(', ');
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

export function groupText(g: Group): string {
  const dist = g.series.some((s) => s.stats);
  const header = dist
    ? ['series', 'n', `p50 ${g.unit}`, 'p90', 'p99', `vs ${g.baseline ?? 'baseline'}`, 'details']
    : ['series', g.unit, `vs ${g.baseline ?? 'baseline'}`, 'details'];
  const rows = g.series.map((s) => {
    const ratio = s.ratio === undefined ? '' : `${s.ratio.toFixed(2)}×`;
    return dist
      ? [s.name, String(s.stats?.n ?? ''), num(s.stats?.p50 ?? s.value), num(s.stats?.p90), num(s.stats?.p99), ratio, details(s)]
      : [s.name, num(s.value), ratio, details(s)];
  });
  const out = [`### ${g.title} (${g.unit}, ${g.better} is better)`, ''];
  if (rows.length) out.push(table([header, ...rows]));
  if (rows.length && (g.skipped.length || g.note)) out.push('');
  for (const k of g.skipped) out.push(`- ${k.name}: ${k.reason}`);
  if (g.note) out.push(`- note: ${g.note}`);
  return out.join('\n');
}

export function reportText(r: BenchReport): string {
  const m = r.machine;
  const head = [
    `wasmpod bench, ${r.date}`,
    `machine: ${m.nproc} x ${m.cpu}, ${m.memTotalMiB} MiB, ${m.platform}, Node ${m.node}; load average ${m.loadAverage.join(' ')} at the start, ${r.loadAverageAfter.join(' ')} at the end`,
    `command: ${r.command}; took ${(r.durationMs / 1000).toFixed(1)} s`,
    'ratios: each series over the baseline (wasmpod wasm) in the same run; for "lower is better" a ratio above 1 is slower than wasmpod',
  ];
  return [...head, '', ...r.groups.map(groupText).join('\n\n').split('\n'), ''].join('\n');
}
