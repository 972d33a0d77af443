// Percentiles of samples, series built from them, and the ratios of a group's series against its baseline.
import type { Group, Series, Stats } from './model.js';

/** The nearest-rank percentile of sorted samples (p in 0..100). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) throw new Error('no samples');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

export function summarize(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    min: round(s[0]!),
    p50: round(percentile(s, 50)),
    p90: round(percentile(s, 90)),
    p99: round(percentile(s, 99)),
    max: round(s[s.length - 1]!),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

/** The figure a series is compared by: its median, or its single value. */
export function headline(s: Series): number | undefined {
  return s.stats?.p50 ?? s.value;
}

/** Sets each series' ratio to the baseline series (the first wasmpod wasm one, unless the group names one). */
export function withRatios(g: Group): Group {
  const base = g.series.find((s) => s.name === g.baseline) ?? g.series.find((s) => s.subject === 'wasmpod' && s.backend === 'wasm');
  if (!base) return g;
  const b = headline(base);
  if (b === undefined || b === 0) return g;
  g.baseline = base.name;
  for (const s of g.series) {
    const h = headline(s);
    if (h !== undefined) s.ratio = Math.round((h / b) * 100) / 100;
  }
  return g;
}

/** A monotonic clock in milliseconds. */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
