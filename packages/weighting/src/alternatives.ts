import type { TrainingSample } from '@lrat/core';
import { isCountedLength, reasoningWeight, reasoningWeightParams } from './reasoning-weights';

// Pluggable weighting schemes for ablations. Each maps the lengths of a run to one weight per sample.

export interface WeightingScheme {
  readonly name: string;
  weights(lens: ArrayLike<number | null | undefined>): Float64Array;
}

/** The official exponential-saturation scheme. */
export const reasoningLengthScheme: WeightingScheme = {
  name: 'reasoning-length',
  weights(lens) {
    const p = reasoningWeightParams(lens);
    return Float64Array.from({ length: lens.length }, (_, i) => reasoningWeight(lens[i], p));
  },
};

/** Every sample weighs 1 (training without reasoning-length weighting). */
export const uniformScheme: WeightingScheme = {
  name: 'uniform',
  weights(lens) {
    return new Float64Array(lens.length).fill(1);
  },
};

/**
 * Weight grows linearly with length up to `cap` tokens (default: 2β), then stays flat; normalised to
 * mean 1 over samples with a positive length; others weigh 1, as in the official scheme.
 */
export function linearCappedScheme(cap?: number): WeightingScheme {
  return {
    name: `linear-capped${cap !== undefined ? `(${cap})` : ''}`,
    weights(lens) {
      const c = cap ?? 2 * reasoningWeightParams(lens).beta;
      if (!(c > 0)) throw new Error(`linear-capped: cap must be > 0, got ${c}`);
      const out = new Float64Array(lens.length).fill(1);
      let sum = 0;
      let n = 0;
      for (let i = 0; i < lens.length; i++) {
        const l = lens[i];
        if (isCountedLength(l)) {
          out[i] = Math.min(l, c) / c;
          sum += out[i];
          n++;
        }
      }
      const mean = n ? sum / n : 1;
      for (let i = 0; i < lens.length; i++) if (isCountedLength(lens[i]) && mean > 0) out[i] /= mean;
      return out;
    },
  };
}

export function schemeByName(name: string): WeightingScheme {
  if (name === 'reasoning-length' || name === 'official') return reasoningLengthScheme;
  if (name === 'uniform') return uniformScheme;
  const m = /^linear-capped(?::(\d+(?:\.\d+)?))?$/.exec(name);
  if (m) return linearCappedScheme(m[1] !== undefined ? Number(m[1]) : undefined);
  throw new Error(`unknown weighting scheme "${name}" (reasoning-length, uniform, linear-capped[:cap])`);
}

/** Apply a scheme to samples in place. */
export function applyScheme<T extends Pick<TrainingSample, 'reasoning_len' | 'reweight_rate'>>(samples: T[], scheme: WeightingScheme): void {
  const w = scheme.weights(samples.map((s) => s.reasoning_len));
  samples.forEach((s, i) => (s.reweight_rate = w[i]));
}
