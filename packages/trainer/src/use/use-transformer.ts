import * as tf from '@tensorflow/tfjs';
import { additiveMask, attentionCore, dense, embeddingLookup, layerNorm, l2Normalize, pool, type AttentionParams, type DenseParams } from '../transformer/ops';
import type { UseArchitecture } from './use-weights';

/**
 * USE-lite (KonaTransformer) written with differentiable tfjs ops on padded batches, reproducing the
 * frozen graph model: token embeddings plus a sinusoidal timing signal, transformer layers with
 * pre-layer-norm attention and ReLU feed-forward blocks (the first layer widens 256 → 512 and
 * projects its residual), mean pooling over the real tokens, a tanh layer and L2 normalisation.
 *
 * The graph computes the feed-forward blocks only on real tokens (gather → FFN → scatter); here every
 * position is computed and padding is kept out of the result by the attention bias (padding keys get
 * −1e9, so their softmax weight is exactly 0) and by the pooling mask, so a text's vector does not
 * depend on the batch it is in.
 */

export interface UseLayerParams {
  attentionNorm: { scale: tf.Tensor1D; bias: tf.Tensor1D };
  attention: AttentionParams;
  /** Projection of the residual stream in a layer that widens it. */
  residual?: DenseParams;
  ffnNorm: { scale: tf.Tensor1D; bias: tf.Tensor1D };
  conv1: DenseParams;
  conv2: DenseParams;
}

export interface UseParams {
  embeddings: tf.Tensor2D;
  layers: UseLayerParams[];
  pooler: DenseParams;
}

/** Builds the parameter tree from tensors named as `loadUseTensors` names them. */
export function useParams(architecture: UseArchitecture, get: (name: string) => tf.Tensor): UseParams {
  const d = (prefix: string): DenseParams => ({ kernel: get(`${prefix}/kernel`) as tf.Tensor2D, bias: get(`${prefix}/bias`) as tf.Tensor1D });
  const norm = (prefix: string) => ({ scale: get(`${prefix}/scale`) as tf.Tensor1D, bias: get(`${prefix}/bias`) as tf.Tensor1D });
  return {
    embeddings: get('embeddings') as tf.Tensor2D,
    layers: architecture.layers.map((shape, i) => ({
      attentionNorm: norm(`layer_${i}/attention/layer_norm`),
      attention: {
        query: d(`layer_${i}/attention/query`),
        key: d(`layer_${i}/attention/key`),
        value: d(`layer_${i}/attention/value`),
        output: d(`layer_${i}/attention/output`),
      },
      residual: shape.inWidth !== shape.outWidth ? d(`layer_${i}/residual`) : undefined,
      ffnNorm: norm(`layer_${i}/ffn/layer_norm`),
      conv1: d(`layer_${i}/ffn/conv1`),
      conv2: d(`layer_${i}/ffn/conv2`),
    })),
    pooler: d('pooler'),
  };
}

/** Token ids of a batch, right-padded to its longest text (at least one position). */
export interface UseTokenBatch {
  size: number;
  length: number;
  /** size × length, padding 0. */
  ids: Int32Array;
  /** size × length, 1 for tokens, 0 for padding. */
  mask: Int32Array;
}

/** Pads token-id lists (already truncated) into one batch. An empty list is a row of padding. */
export function padTokens(lists: number[][]): UseTokenBatch {
  const length = Math.max(1, ...lists.map((l) => l.length));
  const ids = new Int32Array(lists.length * length);
  const mask = new Int32Array(lists.length * length);
  lists.forEach((l, i) => {
    ids.set(l, i * length);
    mask.fill(1, i * length, i * length + l.length);
  });
  return { size: lists.length, length, ids, mask };
}

/** The tensor2tensor timing signal for positions 0..length−1: [sin(p·τ), cos(p·τ)], length × width. */
export function timingSignal(invTimescales: Float32Array, length: number): tf.Tensor2D {
  return tf.tidy(() => {
    const positions = tf.reshape(tf.range(0, length, 1, 'float32'), [length, 1]);
    const scaled = tf.mul(positions, tf.tensor2d(invTimescales, [1, invTimescales.length]));
    return tf.concat([tf.sin(scaled), tf.cos(scaled)], 1) as tf.Tensor2D;
  });
}

/** One padded batch of token ids and its 0/1 mask, both [size, length] int32. */
export interface UseTokenTensors {
  ids: tf.Tensor2D;
  mask: tf.Tensor2D;
}

/** Sentence embeddings (L2-normalised, batch × output width) of one padded token batch. */
export function useForward(p: UseParams, architecture: UseArchitecture, ids: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  return useForwardBuckets(p, architecture, [{ ids, mask }]);
}

/**
 * Sentence embeddings of several padded batches (length buckets), rows in bucket order. Every
 * position-wise step (layer norms, projections, feed-forward, pooler) runs once on the buckets'
 * token rows stacked flat, so each weight is multiplied (and, backward, transposed and reduced) once
 * per step instead of once per bucket; only attention and pooling, which mix a text's own tokens,
 * run bucket by bucket. A text's vector is the same as in a batch of its own.
 */
export function useForwardBuckets(p: UseParams, architecture: UseArchitecture, buckets: readonly UseTokenTensors[]): tf.Tensor2D {
  return tf.tidy(() => {
    const shapes = buckets.map((b) => ({ size: b.ids.shape[0], length: b.ids.shape[1] }));
    const rows = shapes.map((s) => s.size * s.length);
    const masks = buckets.map((b) => tf.cast(b.mask, 'float32') as tf.Tensor2D);
    const biases = buckets.map((b) => additiveMask(b.mask));
    const stack = (parts: tf.Tensor2D[]): tf.Tensor2D => (parts.length === 1 ? parts[0] : (tf.concat(parts, 0) as tf.Tensor2D));
    // Bucket i's token rows of a flat [Σ rows, width] matrix.
    const unstack = (x: tf.Tensor2D): tf.Tensor2D[] => (rows.length === 1 ? [x] : (tf.split(x, rows, 0) as tf.Tensor2D[]));
    let x = stack(
      buckets.map((b, i) => {
        const emb = embeddingLookup(p.embeddings, b.ids);
        // The graph adds the looked-up embedding to (embedding + timing signal): both scatters of
        // Layer_0/add carry it. Padding positions are zero, as in the graph.
        const summed = tf.mul(tf.add(emb, tf.add(emb, timingSignal(architecture.invTimescales, shapes[i].length))), tf.expandDims(masks[i], -1));
        return tf.reshape(summed, [rows[i], emb.shape[emb.rank - 1]]) as tf.Tensor2D;
      }),
    );
    const eps = architecture.layerNormEpsilon;
    architecture.layers.forEach((shape, li) => {
      const l = p.layers[li];
      const h = layerNorm(x, l.attentionNorm.scale, l.attentionNorm.bias, eps) as tf.Tensor2D;
      const project = (d: DenseParams) => unstack(dense(h, d.kernel, d.bias) as tf.Tensor2D);
      const [q, k, v] = [l.attention.query, l.attention.key, l.attention.value].map(project);
      const context = stack(shapes.map((s, i) => attentionCore(q[i], k[i], v[i], biases[i], s.size, s.length, shape.heads)));
      const attended = dense(context, l.attention.output.kernel, l.attention.output.bias);
      const residual = l.residual ? dense(x, l.residual.kernel, l.residual.bias) : x;
      x = tf.add(attended, residual) as tf.Tensor2D;
      const f = layerNorm(x, l.ffnNorm.scale, l.ffnNorm.bias, eps);
      const inner = tf.relu(dense(f, l.conv1.kernel, l.conv1.bias));
      x = tf.add(dense(inner, l.conv2.kernel, l.conv2.bias), x) as tf.Tensor2D;
    });
    const width = x.shape[1];
    const pooled = stack(unstack(x).map((xi, i) => pool(tf.reshape(xi, [shapes[i].size, shapes[i].length, width]) as tf.Tensor3D, masks[i], 'mean')));
    return l2Normalize(tf.tanh(dense(pooled, p.pooler.kernel, p.pooler.bias)) as tf.Tensor2D);
  });
}
