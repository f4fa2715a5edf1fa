import type { TrainingSample } from '@lrat/core';
import { expCorrectlyRounded } from './exp';

// The official reasoning-length weighting (docs/lrat-algorithm.md §4): longer post-browse reasoning
// means stronger relevance. β = median of the positive lengths; raw = 1 − exp(−len·ln2/β);
// weight = raw / mean(raw); samples without a positive length weigh 1.0. Arithmetic follows the
// official code operation by operation so results agree to the last bits.

/** What the weighting reads and writes of a training sample. */
type Weighable = Pick<TrainingSample, 'reasoning_len' | 'reweight_rate'>;

export interface WeightParams {
  /** β, the half-life: median of positive lengths (1.0 when there are none). */
  beta: number;
  /** Mean raw weight over samples with a positive length (1.0 when none). */
  meanRaw: number;
  /** How many samples had a positive length. */
  counted: number;
}

/** Lengths the official code counts: a number > 0. */
export function isCountedLength(len: number | null | undefined): len is number {
  return typeof len === 'number' && len > 0;
}

/** statistics.median: middle value, or the mean of the two middle values. Sorts its argument. */
export function median(values: Float64Array | number[]): number {
  const v = values instanceof Float64Array ? values.sort() : values.sort((a, b) => a - b);
  const n = v.length;
  if (n === 0) throw new Error('median of no values');
  const i = n >> 1;
  return n % 2 === 1 ? v[i] : (v[i - 1] + v[i]) / 2;
}

export function rawWeight(len: number, beta: number): number {
  return 1 - expCorrectlyRounded((-len * Math.LN2) / beta);
}

/** β and mean raw weight for lengths given in sample order (order matters for the float sum). */
export function reasoningWeightParams(lens: ArrayLike<number | null | undefined>): WeightParams {
  const counted: number[] = [];
  for (let i = 0; i < lens.length; i++) {
    const l = lens[i];
    if (isCountedLength(l)) counted.push(l);
  }
  const beta = counted.length ? median(Float64Array.from(counted)) : 1.0;
  let sum = 0;
  for (const l of counted) sum += rawWeight(l, beta);
  const meanRaw = counted.length ? sum / counted.length : 1.0;
  return { beta, meanRaw, counted: counted.length };
}

/** A sample's weight under given parameters. */
export function reasoningWeight(len: number | null | undefined, p: WeightParams): number {
  if (!isCountedLength(len)) return 1.0;
  return p.meanRaw !== 0 ? rawWeight(len, p.beta) / p.meanRaw : 1.0;
}

/** Set `reweight_rate` on every sample (the official formula over all of them); returns β and mean. */
export function applyReasoningWeights<T extends Weighable>(samples: T[]): WeightParams {
  const p = reasoningWeightParams(samples.map((s) => s.reasoning_len));
  for (const s of samples) s.reweight_rate = reasoningWeight(s.reasoning_len, p);
  return p;
}

/**
 * Collects lengths as samples stream past (4 bytes each), so weights can be computed after a
 * streaming pass without holding the samples.
 */
export class LengthAccumulator {
  private buf = new Float64Array(1024);
  private n = 0;
  add(len: number | null | undefined): void {
    if (this.n === this.buf.length) {
      const b = new Float64Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
    // NaN marks "no length" (null), which the formula treats like 0.
    this.buf[this.n++] = typeof len === 'number' ? len : NaN;
  }
  get size(): number {
    return this.n;
  }
  lengths(): Float64Array {
    return this.buf.subarray(0, this.n);
  }
  params(): WeightParams {
    return reasoningWeightParams(this.lengths());
  }
}
