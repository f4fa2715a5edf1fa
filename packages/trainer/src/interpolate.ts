import * as tf from '@tensorflow/tfjs';
import type { Encoder } from './encoders/encoder';

// Fine-tuning on one corpus's agent trajectories can cost the pretrained model some of its accuracy
// elsewhere. Weight-space interpolation between the fine-tuned and the pretrained weights (WiSE-FT,
// Wortsman et al. 2022) keeps most of the in-domain gain while giving back robustness out of domain;
// α = 1 is the fine-tuned model, α = 0 the base. It needs both models to share an architecture,
// which fine-tuning guarantees.

/**
 * Sets every weight of `tuned` to base + α · (tuned − base), in place. Throws unless both encoders
 * are of one kind with the same named weights of the same shapes.
 */
export function interpolateTowardBase(tuned: Encoder, base: Encoder, alpha: number): void {
  if (tuned.kind !== base.kind) throw new Error(`cannot interpolate a ${tuned.kind} encoder with a ${base.kind} base`);
  const from = new Map(base.weights().map((w) => [w.name, w.variable] as const));
  const weights = tuned.weights();
  for (const { name, variable } of weights) {
    const b = from.get(name);
    if (!b) throw new Error(`cannot interpolate: the base has no weight ${name}`);
    if (b.shape.join('x') !== variable.shape.join('x')) throw new Error(`cannot interpolate ${name}: shape [${variable.shape}] vs the base's [${b.shape}]`);
  }
  if (from.size !== weights.length) throw new Error(`cannot interpolate: the base has ${from.size} weights, the tuned encoder ${weights.length}`);
  interpolateVariables(weights.map(({ name, variable }) => [variable, from.get(name) as tf.Tensor]), alpha);
}

/** Each variable set to base + α · (variable − base), in place; shapes are the caller's to match. */
export function interpolateVariables(pairs: ReadonlyArray<readonly [tf.Variable, tf.Tensor]>, alpha: number): void {
  if (!(Number.isFinite(alpha) && alpha >= 0 && alpha <= 1)) throw new RangeError(`interpolation α must be in [0, 1], got ${alpha}`);
  if (alpha === 1) return;
  for (const [variable, base] of pairs) {
    // Integer tensors (none today) are kept: they are not learned.
    if (variable.dtype !== 'float32') continue;
    variable.assign(tf.tidy(() => base.add(variable.sub(base).mul(alpha))));
  }
}
