import { isCountedLength, median, reasoningWeightParams } from './reasoning-weights';

// A summary of a mined sample set: what `lrat mine --stats` writes and reports print.

export interface Distribution {
  count: number;
  mean: number;
  median: number;
  p10: number;
  p90: number;
  min: number;
  max: number;
}

export interface WeightStats {
  samples: number;
  satisfied: number;
  satisfiedShare: number;
  beta: number;
  meanRawWeight: number;
  /** Lengths of samples with a positive reasoning length. */
  reasoningLength: Distribution;
  samplesWithoutLength: number;
  weight: Distribution;
  negatives: Distribution;
}

/** Nearest-rank percentile of sorted values. */
function pct(sorted: Float64Array, q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function distribution(values: ArrayLike<number>): Distribution {
  const v = Float64Array.from(values as ArrayLike<number>);
  if (!v.length) return { count: 0, mean: 0, median: 0, p10: 0, p90: 0, min: 0, max: 0 };
  let sum = 0;
  for (const x of v) sum += x;
  const sorted = v.slice().sort();
  return {
    count: v.length,
    mean: sum / v.length,
    median: median(sorted.slice()),
    p10: pct(sorted, 0.1),
    p90: pct(sorted, 0.9),
    min: sorted[0],
    max: sorted[sorted.length - 1],
  };
}

export interface SampleColumns {
  lens: ArrayLike<number | null | undefined>;
  satisfied: ArrayLike<boolean | number>;
  negatives: ArrayLike<number>;
  weights: ArrayLike<number>;
}

export function weightStatsFromColumns(c: SampleColumns): WeightStats {
  const n = c.lens.length;
  let sat = 0;
  for (let i = 0; i < n; i++) if (c.satisfied[i]) sat++;
  const counted: number[] = [];
  for (let i = 0; i < n; i++) {
    const l = c.lens[i];
    if (isCountedLength(l)) counted.push(l);
  }
  const p = reasoningWeightParams(c.lens);
  return {
    samples: n,
    satisfied: sat,
    satisfiedShare: n ? sat / n : 0,
    beta: p.beta,
    meanRawWeight: p.meanRaw,
    reasoningLength: distribution(counted),
    samplesWithoutLength: n - counted.length,
    weight: distribution(c.weights),
    negatives: distribution(c.negatives),
  };
}

export interface StatSample {
  reasoning_len?: number | null;
  satisfied: boolean;
  neg_id: readonly unknown[];
  reweight_rate?: number;
}

/** Stats of samples already weighted (a missing reweight_rate counts as 1). */
export function weightStats(samples: readonly StatSample[]): WeightStats {
  return weightStatsFromColumns({
    lens: samples.map((s) => s.reasoning_len),
    satisfied: samples.map((s) => s.satisfied),
    negatives: samples.map((s) => s.neg_id.length),
    weights: samples.map((s) => s.reweight_rate ?? 1),
  });
}
