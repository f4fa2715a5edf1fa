/**
 * Building blocks of decoder-style (Llama / Qwen) transformers on tfjs ops, beside the encoder blocks
 * of ./ops: RMSNorm, rotary position embeddings, the causal + padding mask, grouped-query attention
 * with per-head q/k RMSNorm, and the SwiGLU feed-forward. Pure functions; call inside `tf.tidy` /
 * `tf.variableGrads`.
 *
 * Shapes: B = batch, T = tokens, H = hidden width, nh = query heads, nkv = key/value heads,
 * hd = head_dim (Qwen3 sets it explicitly: nh·hd need not equal H).
 */
import * as tf from '@tensorflow/tfjs';
import { dense, MASK_NEG } from './ops';

/** RMSNorm over the last axis: x / sqrt(mean(x²) + eps) · weight (no mean subtraction, no bias). */
export function rmsNorm(x: tf.Tensor, weight: tf.Tensor1D, eps: number): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), weight));
}

export interface RotaryTables {
  /** [T, hd]: cos / sin of position·inv_freq, the half-width table repeated twice (Hugging Face's layout). */
  cos: tf.Tensor2D;
  sin: tf.Tensor2D;
}

/**
 * The default rotary tables for positions 0..T-1: inv_freq_j = 1 / θ^(2j/hd), angles in float32 as
 * Hugging Face computes them (so long positions round the same way).
 */
export function rotaryTables(t: number, headDim: number, theta: number): RotaryTables {
  if (headDim % 2 !== 0) throw new Error(`rotaryTables: head_dim ${headDim} must be even`);
  const half = headDim / 2;
  const cos = new Float32Array(t * headDim);
  const sin = new Float32Array(t * headDim);
  const f = Math.fround;
  for (let j = 0; j < half; j++) {
    const invFreq = f(1 / f(theta ** f((2 * j) / headDim)));
    for (let p = 0; p < t; p++) {
      const a = f(invFreq * p);
      const c = Math.cos(a);
      const s = Math.sin(a);
      cos[p * headDim + j] = c;
      cos[p * headDim + j + half] = c;
      sin[p * headDim + j] = s;
      sin[p * headDim + j + half] = s;
    }
  }
  return { cos: tf.tensor2d(cos, [t, headDim]), sin: tf.tensor2d(sin, [t, headDim]) };
}

/** x·cos + rotate_half(x)·sin for x [B, n, T, hd], rotate_half(x) = [−x₂, x₁] over the two halves. */
export function applyRotary(x: tf.Tensor4D, r: RotaryTables): tf.Tensor4D {
  return tf.tidy(() => {
    const hd = x.shape[3];
    const [x1, x2] = tf.split(x, [hd / 2, hd / 2], 3);
    const rotated = tf.concat([tf.neg(x2), x1], 3);
    return tf.add(tf.mul(x, r.cos), tf.mul(rotated, r.sin)) as tf.Tensor4D;
  });
}

/**
 * [B, T] 0/1 attention mask → [B, 1, T, T] additive mask: position i attends to j ≤ i that is not
 * padding. Rows of padding queries (left padding) mask everything; their outputs are never read.
 */
export function causalPaddingMask(attentionMask: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, t] = attentionMask.shape;
    const future = tf.greater(tf.reshape(tf.range(0, t, 1, 'int32'), [1, t]), tf.reshape(tf.range(0, t, 1, 'int32'), [t, 1]));
    const causal = tf.mul(tf.cast(future, 'float32'), MASK_NEG);
    const padding = tf.reshape(tf.mul(tf.sub(1, tf.cast(attentionMask, 'float32')), MASK_NEG), [b, 1, 1, t]);
    return tf.add(tf.reshape(causal, [1, 1, t, t]), padding) as tf.Tensor4D;
  });
}

export interface GqaParams {
  /** Kernels [H, nh·hd], [H, nkv·hd], [H, nkv·hd], [nh·hd, H]; biases when attention_bias is set. */
  q: { kernel: tf.Tensor2D; bias?: tf.Tensor1D };
  k: { kernel: tf.Tensor2D; bias?: tf.Tensor1D };
  v: { kernel: tf.Tensor2D; bias?: tf.Tensor1D };
  o: { kernel: tf.Tensor2D; bias?: tf.Tensor1D };
  /** Per-head RMSNorm weights [hd] applied to queries and keys before the rotation (Qwen3). */
  qNorm?: tf.Tensor1D;
  kNorm?: tf.Tensor1D;
}

export interface GqaShape {
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsEps: number;
}

/**
 * Grouped-query self-attention. Query head h reads key/value head ⌊h / (nh / nkv)⌋ (Hugging Face's
 * repeat_kv); instead of copying the key/value heads, the queries of one group are stacked along the
 * row axis, so each group is a single product with its shared keys (and so is the gradient).
 */
export function gqaAttention(x: tf.Tensor3D, mask: tf.Tensor4D, rot: RotaryTables, p: GqaParams, s: GqaShape): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, t] = x.shape;
    const { numHeads: nh, numKvHeads: nkv, headDim: hd } = s;
    if (nh % nkv !== 0) throw new Error(`gqaAttention: ${nh} heads are not a multiple of ${nkv} key/value heads`);
    const rep = nh / nkv;
    const heads = (y: tf.Tensor, n: number, norm?: tf.Tensor1D): tf.Tensor4D => {
      let r = tf.reshape(y, [b, t, n, hd]);
      if (norm) r = rmsNorm(r, norm, s.rmsEps);
      return tf.transpose(r, [0, 2, 1, 3]) as tf.Tensor4D;
    };
    const q = applyRotary(heads(dense(x, p.q.kernel, p.q.bias), nh, p.qNorm), rot);
    const k = applyRotary(heads(dense(x, p.k.kernel, p.k.bias), nkv, p.kNorm), rot);
    const v = heads(dense(x, p.v.kernel, p.v.bias), nkv);
    // [B, nh, T, hd] → [B, nkv, rep·T, hd]: heads of a group are adjacent, so this is a plain reshape.
    const qg = tf.reshape(q, [b, nkv, rep * t, hd]);
    let scores = tf.mul(tf.matMul(qg, tf.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(hd));
    scores = tf.add(tf.reshape(scores, [b, nh, t, t]), mask);
    const probs = tf.reshape(tf.softmax(scores, -1), [b, nkv, rep * t, t]);
    const ctx = tf.reshape(tf.matMul(probs, v), [b, nh, t, hd]);
    const merged = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [b, t, nh * hd]);
    return dense(merged, p.o.kernel, p.o.bias) as tf.Tensor3D;
  });
}

/** SwiGLU feed-forward: down(silu(gate(x)) · up(x)), no biases (Llama / Qwen MLP). */
export function swiGlu(x: tf.Tensor, gate: tf.Tensor2D, up: tf.Tensor2D, down: tf.Tensor2D): tf.Tensor {
  return tf.tidy(() => {
    const g = dense(x, gate);
    const silu = tf.mul(g, tf.sigmoid(g));
    return dense(tf.mul(silu, dense(x, up)), down);
  });
}
