// Placeholder (helper B) with the API helper A's shared ops.ts documents; replaced by A's file
// (`git checkout a-bert -- packages/trainer/src/transformer/ops.ts`) as soon as it is committed.
import * as tf from '@tensorflow/tfjs';

export interface DenseParams {
  kernel: tf.Tensor2D;
  bias?: tf.Tensor1D;
}
export interface AttentionParams {
  query: DenseParams;
  key: DenseParams;
  value: DenseParams;
  output: DenseParams;
}
export type PoolingMode = 'cls' | 'mean' | 'max' | 'lasttoken';
export const MASK_NEG = -1e9;

export function dense(x: tf.Tensor, kernel: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor {
  return tf.tidy(() => {
    const inDim = kernel.shape[0];
    const y = tf.matMul(tf.reshape(x, [-1, inDim]), kernel);
    const yb = bias ? tf.add(y, bias) : y;
    return tf.reshape(yb, [...x.shape.slice(0, -1), kernel.shape[1]]);
  });
}
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-12): tf.Tensor {
  return tf.tidy(() => {
    const mean = tf.mean(x, -1, true);
    const c = tf.sub(x, mean);
    const v = tf.mean(tf.square(c), -1, true);
    return tf.add(tf.mul(tf.mul(c, tf.rsqrt(tf.add(v, eps))), gamma), beta);
  });
}
export function additiveMask(m: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => tf.reshape(tf.mul(tf.sub(1, tf.cast(m, 'float32')), MASK_NEG), [m.shape[0], 1, 1, m.shape[1]]) as tf.Tensor4D);
}
export function selfAttention(x: tf.Tensor3D, mask: tf.Tensor4D | null, p: AttentionParams, numHeads: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, t, h] = x.shape;
    const hd = h / numHeads;
    const split = (y: tf.Tensor) => tf.transpose(tf.reshape(y, [b, t, numHeads, hd]), [0, 2, 1, 3]);
    const q = split(dense(x, p.query.kernel, p.query.bias));
    const k = split(dense(x, p.key.kernel, p.key.bias));
    const v = split(dense(x, p.value.kernel, p.value.bias));
    let s = tf.mul(tf.matMul(q, tf.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(hd));
    if (mask) s = tf.add(s, mask);
    const ctx = tf.matMul(tf.softmax(s, -1), v);
    return dense(tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [b, t, h]), p.output.kernel, p.output.bias) as tf.Tensor3D;
  });
}
export function pool(hidden: tf.Tensor3D, attentionMask: tf.Tensor2D, _mode: PoolingMode): tf.Tensor2D {
  return tf.tidy(() => {
    const m = tf.expandDims(tf.cast(attentionMask, 'float32'), -1);
    return tf.div(tf.sum(tf.mul(hidden, m), 1), tf.maximum(tf.sum(m, 1), 1e-9)) as tf.Tensor2D;
  });
}
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D);
}
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.reshape(tf.gather(table, tf.reshape(ids, [-1])), [...ids.shape, table.shape[1]]));
}
