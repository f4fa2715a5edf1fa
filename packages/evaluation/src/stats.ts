import { createRng } from '@lrat/core';
import type { PairedDifference } from './metrics';

// Statistics for multi-seed studies (pure): mean ± sd across seeds, a paired bootstrap stratified by
// seed with a two-sided p-value, and Holm's step-down correction across a family of comparisons.

export function meanSd(xs: readonly number[]): { mean: number; sd: number; n: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, sd: NaN, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  // Sample standard deviation (n − 1); 0 for one seed.
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/** A paired difference pooled over strata (seeds), with its bootstrap p-value. */
export interface StratifiedDifference extends Omit<PairedDifference, 'confidence'> {
  /** Two-sided bootstrap p-value of "no difference": 2 × min(P*(Δ ≤ 0), P*(Δ ≥ 0)), capped at 1. */
  p: number;
}

/**
 * Paired bootstrap over strata (one stratum per seed: its held-out questions): each resample draws
 * questions with replacement within every stratum, so every seed keeps its weight. Percentile CI.
 */
export function stratifiedPairedBootstrap(
  strata: ReadonlyArray<{ before: readonly number[]; after: readonly number[] }>,
  options: { seed?: number | string; resamples?: number; confidence?: number } = {},
): StratifiedDifference {
  const resamples = options.resamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  const diffs = strata.map((s) => {
    if (s.before.length !== s.after.length) throw new Error(`stratifiedPairedBootstrap: ${s.before.length} values before vs ${s.after.length} after`);
    return s.before.map((b, i) => s.after[i] - b);
  });
  const n = diffs.reduce((a, d) => a + d.length, 0);
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const before = n ? sum(strata.flatMap((s) => [...s.before])) / n : 0;
  const after = n ? sum(strata.flatMap((s) => [...s.after])) / n : 0;
  const diff = after - before;
  if (n === 0) return { n, before, after, diff: 0, relative: NaN, ciLow: 0, ciHigh: 0, p: 1, resamples: 0 };
  const rng = createRng(options.seed ?? 0, 'stratified-bootstrap');
  const stats = new Float64Array(resamples);
  let le = 0;
  let ge = 0;
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (const d of diffs) for (let i = 0; i < d.length; i++) s += d[rng.int(d.length)];
    const m = s / n;
    stats[b] = m;
    if (m <= 0) le++;
    if (m >= 0) ge++;
  }
  stats.sort();
  const alpha = (1 - confidence) / 2;
  const at = (q: number) => stats[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))];
  const p = Math.min(1, (2 * Math.min(le, ge)) / resamples);
  return { n, before, after, diff, relative: before === 0 ? NaN : diff / before, ciLow: at(alpha), ciHigh: at(1 - alpha), p, resamples };
}

/** Percentile bootstrap CI of a mean (e.g. per-query nDCG@10). */
export function bootstrapMeanCi(values: readonly number[], options: { seed?: number | string; resamples?: number; confidence?: number } = {}): [number, number] {
  const r = stratifiedPairedBootstrap([{ before: values.map(() => 0), after: values }], options);
  return [r.ciLow, r.ciHigh];
}

/** Holm–Bonferroni adjusted p-values (same order as the input), monotone and capped at 1. */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}
