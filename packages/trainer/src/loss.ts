import * as tf from '@tensorflow/tfjs';

export interface InfoNceInputs {
  /** Query embeddings, B × d (normalised by the encoder). */
  queries: tf.Tensor2D;
  /** All passages of the batch, P × d: each query's group (positive first, then its negatives), concatenated. */
  passages: tf.Tensor2D;
  /** Row of each query's own positive in `passages` (length B). */
  targets: number[];
  /** Per-sample weights (reweight_rate); omitted → plain mean cross-entropy (the unweighted ablation). */
  weights?: number[];
  temperature: number;
}

/**
 * Weighted InfoNCE as the official FlagEmbedding fork computes it: scores = q·pᵀ/τ against every
 * passage in the batch (in-batch negatives), cross-entropy towards each query's own positive, then
 * Σ wᵢ·CEᵢ / max(Σ wᵢ, 1e-12) — or the plain mean when unweighted.
 */
export function weightedInfoNce({ queries, passages, targets, weights, temperature }: InfoNceInputs): tf.Scalar {
  const b = queries.shape[0];
  if (targets.length !== b) throw new Error(`weightedInfoNce: ${targets.length} targets for ${b} queries`);
  if (weights && weights.length !== b) throw new Error(`weightedInfoNce: ${weights.length} weights for ${b} queries`);
  if (!(temperature > 0)) throw new Error(`weightedInfoNce: temperature must be > 0, got ${temperature}`);
  return tf.tidy(() => {
    const scores = tf.div(tf.matMul(queries, passages, false, true), temperature);
    const logProbs = tf.logSoftmax(scores);
    const onehot = targetMask(targets, passages.shape[0]);
    const ce = tf.neg(tf.sum(tf.mul(logProbs, onehot), 1));
    if (!weights) return tf.mean(ce) as tf.Scalar;
    const w = tf.tensor1d(weights);
    return tf.div(tf.sum(tf.mul(ce, w)), tf.maximum(tf.sum(w), 1e-12)) as tf.Scalar;
  });
}

/** Per-sample cross-entropy (B), for reporting and tests. */
export function infoNceTerms({ queries, passages, targets, temperature }: Omit<InfoNceInputs, 'weights'>): tf.Tensor1D {
  return tf.tidy(() => {
    const scores = tf.div(tf.matMul(queries, passages, false, true), temperature);
    const onehot = targetMask(targets, passages.shape[0]);
    return tf.neg(tf.sum(tf.mul(tf.logSoftmax(scores), onehot), 1)) as tf.Tensor1D;
  });
}

/**
 * B × P indicator of each query's positive. Built directly rather than with tf.oneHot, which refuses a
 * depth of 1 — and a last batch of one sample without hard negatives has exactly one passage (its
 * cross-entropy is then 0, as in the official loss).
 */
function targetMask(targets: number[], passages: number): tf.Tensor2D {
  const mask = new Float32Array(targets.length * passages);
  targets.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 0 || t >= passages) throw new Error(`weightedInfoNce: target ${t} outside 0..${passages - 1}`);
    mask[i * passages + t] = 1;
  });
  return tf.tensor2d(mask, [targets.length, passages]);
}
