/**
 * Differentiable transformer building blocks written with tfjs ops, shared by every transformer
 * encoder (BERT family, USE-lite, decoders). All functions are pure: they take tensors (variables or
 * not) and return new tensors; call them inside `tf.tidy` / `tf.variableGrads`.
 *
 * Shapes: B = batch, T = tokens, H = hidden width, nh = heads, hd = H / nh.
 * Weight layout: dense kernels are [in, out] (Hugging Face `nn.Linear.weight` is [out, in]: transpose
 * once when loading / saving, never per step).
 *
 * Stable API (other modules copy this file; additions only):
 *   dense(x [..., in], kernel [in, out], bias? [out])            → [..., out]   (hand-written gradient)
 *   layerNorm(x [..., H], gamma [H], beta [H], eps = 1e-12)      → [..., H]
 *   gelu(x)                                                      exact erf GELU
 *   additiveMask(attentionMask [B, T] of 0/1)                    → [B, 1, 1, T] (0 keep, −1e9 drop)
 *   selfAttention(x [B, T, H], mask [B, 1, 1, T], p: AttentionParams, numHeads) → [B, T, H]
 *   attentionCore(q, k, v [B·T, H], mask, B, T, numHeads) → [B·T, H] (before the output projection)
 *   pool(hidden [B, T, H], attentionMask [B, T], mode: PoolingMode) → [B, H]
 *     modes: cls | mean | max | lasttoken | mean_sqrt_len_tokens | weightedmean
 *   l2Normalize(x [B, D])                                        x / max(‖x‖₂, 1e-12), as torch F.normalize
 *   embeddingLookup(table [V, H], ids int32 [...])               → [..., H]
 */
import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-backend-wasm multiplies with a transposed operand ~10× slower than without, and the autograd
 * gradient of matMul asks for exactly those products (dx = dy·Wᵀ, dW = xᵀ·dy). Materialising the
 * transposes (cheap, memory-bound) and calling the plain product keeps the backward pass fast on
 * every backend.
 */
const denseWithBias = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x2, w2, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x2, w2]);
  return {
    value: tf.add(tf.matMul(x2, w2), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as tf.Tensor2D[];
      const d = dy as tf.Tensor2D;
      return [tf.matMul(d, tf.transpose(sw)), tf.matMul(tf.transpose(sx), d), tf.sum(d, 0)];
    },
  };
});

const denseNoBias = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x2, w2, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([x2, w2]);
  return {
    value: tf.matMul(x2, w2),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as tf.Tensor2D[];
      const d = dy as tf.Tensor2D;
      return [tf.matMul(d, tf.transpose(sw)), tf.matMul(tf.transpose(sx), d)];
    },
  };
});

/** x·W (+ b) over the last axis of x; kernel is [in, out]. */
export function dense(x: tf.Tensor, kernel: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor {
  const [inDim, outDim] = kernel.shape;
  if (x.shape[x.rank - 1] !== inDim) throw new Error(`dense: input width ${x.shape[x.rank - 1]} does not match kernel [${kernel.shape}]`);
  return tf.tidy(() => {
    const flat = x.rank === 2 ? x : tf.reshape(x, [-1, inDim]);
    const y = bias ? denseWithBias(flat, kernel, bias) : denseNoBias(flat, kernel);
    return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), outDim]);
  });
}

type LayerNormFn = (x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor;
const layerNormByEps = new Map<number, LayerNormFn>();

/**
 * LayerNorm with its gradient written out (x̂ = (x − μ)·r, r = 1/√(σ² + ε); dx = r·(g − mean(g) −
 * x̂·mean(g·x̂)) with g = dy·γ; dγ = Σ dy·x̂; dβ = Σ dy): 11 ops backward where autograd through the
 * forward formula takes about twice as many, most with broadcast reductions.
 */
function layerNormFn(eps: number): LayerNormFn {
  let fn = layerNormByEps.get(eps);
  if (!fn) {
    fn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [x, gamma, beta, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
      const [xhat, rstd] = tf.tidy(() => {
        const centered = tf.sub(x, tf.mean(x, -1, true));
        const r = tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), eps));
        return [tf.mul(centered, r), r];
      });
      save([xhat, rstd, gamma]);
      return {
        value: tf.add(tf.mul(xhat, gamma), beta),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sx, sr, sg] = saved;
          const h = sx.shape[sx.rank - 1];
          const g = tf.mul(dy, sg);
          const dx = tf.mul(tf.sub(tf.sub(g, tf.mean(g, -1, true)), tf.mul(sx, tf.mean(tf.mul(g, sx), -1, true))), sr);
          return [dx, tf.sum(tf.reshape(tf.mul(dy, sx), [-1, h]), 0), tf.sum(tf.reshape(dy, [-1, h]), 0)];
        },
      };
    }) as unknown as LayerNormFn;
    layerNormByEps.set(eps, fn);
  }
  return fn;
}

/** LayerNorm over the last axis with biased variance, as torch.nn.LayerNorm. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-12): tf.Tensor {
  return tf.tidy(() => layerNormFn(eps)(x, gamma, beta));
}

/** GELU with the exact error function (BERT's "gelu"), not the tanh approximation. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}

/** Large enough that exp() underflows to 0 after the max-subtraction in softmax, finite so sums never become NaN. */
export const MASK_NEG = -1e9;

/** [B, T] 0/1 attention mask → [B, 1, 1, T] additive mask (0 for tokens, MASK_NEG for padding). */
export function additiveMask(attentionMask: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, t] = attentionMask.shape;
    return tf.reshape(tf.mul(tf.sub(1, tf.cast(attentionMask, 'float32')), MASK_NEG), [b, 1, 1, t]) as tf.Tensor4D;
  });
}

export interface DenseParams {
  kernel: tf.Tensor2D;
  bias?: tf.Tensor1D;
}

export interface AttentionParams {
  query: DenseParams;
  key: DenseParams;
  value: DenseParams;
  /** Output projection (BERT's attention.output.dense). */
  output: DenseParams;
}

function splitHeads(x: tf.Tensor, b: number, t: number, numHeads: number, headDim: number): tf.Tensor4D {
  return tf.transpose(tf.reshape(x, [b, t, numHeads, headDim]), [0, 2, 1, 3]) as tf.Tensor4D;
}

/**
 * Scaled dot-product attention of projected rows: q, k, v are [B·T, H] (row b·T + t is token t of
 * text b), mask [B, 1, 1, T] additive or null; returns the heads' context merged back to [B·T, H],
 * before the output projection. Callers that keep token rows flat (USE's length buckets) project
 * once for the whole batch and run this per bucket.
 */
export function attentionCore(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, mask: tf.Tensor4D | null, b: number, t: number, numHeads: number): tf.Tensor2D {
  return tf.tidy(() => {
    const h = q.shape[1];
    if (h % numHeads !== 0) throw new Error(`attention: hidden size ${h} is not divisible by ${numHeads} heads`);
    const hd = h / numHeads;
    const [qh, kh, vh] = [q, k, v].map((x) => splitHeads(x, b, t, numHeads, hd));
    // Explicit transpose: keeps every product (and its gradient) free of transposed operands.
    let scores = tf.mul(tf.matMul(qh, tf.transpose(kh, [0, 1, 3, 2])), 1 / Math.sqrt(hd));
    if (mask) scores = tf.add(scores, mask);
    const ctx = tf.matMul(tf.softmax(scores, -1), vh);
    return tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [b * t, h]) as tf.Tensor2D;
  });
}

/**
 * Multi-head scaled dot-product self-attention with an additive mask, followed by the output
 * projection. Dropout is not applied (encoders are trained without it, matching eval-mode references).
 */
export function selfAttention(x: tf.Tensor3D, mask: tf.Tensor4D | null, p: AttentionParams, numHeads: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, t, h] = x.shape;
    const flat = tf.reshape(x, [b * t, h]) as tf.Tensor2D;
    const project = (d: DenseParams) => dense(flat, d.kernel, d.bias) as tf.Tensor2D;
    const merged = attentionCore(project(p.query), project(p.key), project(p.value), mask, b, t, numHeads);
    return tf.reshape(dense(merged, p.output.kernel, p.output.bias), [b, t, p.output.kernel.shape[1]]) as tf.Tensor3D;
  });
}

export type PoolingMode = 'cls' | 'mean' | 'max' | 'lasttoken' | 'mean_sqrt_len_tokens' | 'weightedmean';
export const POOLING_MODES: readonly PoolingMode[] = ['cls', 'mean', 'max', 'lasttoken', 'mean_sqrt_len_tokens', 'weightedmean'];

/**
 * Sentence-transformers' Pooling semantics: cls = first token; mean = sum over non-padding tokens /
 * max(count, 1e-9); mean_sqrt_len_tokens = sum / sqrt(count); weightedmean = position-weighted mean
 * (weights 1..T); max = max over non-padding tokens (padding set to −1e9); lasttoken = the last
 * non-padding token (the last position whose mask is 1: works for left and right padding).
 */
export function pool(hidden: tf.Tensor3D, attentionMask: tf.Tensor2D, mode: PoolingMode): tf.Tensor2D {
  return tf.tidy(() => {
    const [b, t, h] = hidden.shape;
    const m = tf.expandDims(tf.cast(attentionMask, 'float32'), -1) as tf.Tensor3D;
    switch (mode) {
      case 'cls':
        return tf.reshape(tf.slice(hidden, [0, 0, 0], [b, 1, h]), [b, h]) as tf.Tensor2D;
      case 'mean': {
        const sum = tf.sum(tf.mul(hidden, m), 1);
        return tf.div(sum, tf.maximum(tf.sum(m, 1), 1e-9)) as tf.Tensor2D;
      }
      case 'mean_sqrt_len_tokens': {
        const sum = tf.sum(tf.mul(hidden, m), 1);
        return tf.div(sum, tf.sqrt(tf.maximum(tf.sum(m, 1), 1e-9))) as tf.Tensor2D;
      }
      case 'weightedmean': {
        // Position weights 1..T (SGPT), padding excluded.
        const w = tf.mul(m, tf.reshape(tf.range(1, t + 1, 1, 'float32'), [1, t, 1]));
        return tf.div(tf.sum(tf.mul(hidden, w), 1), tf.maximum(tf.sum(w, 1), 1e-9)) as tf.Tensor2D;
      }
      case 'max': {
        const masked = tf.add(tf.mul(hidden, m), tf.mul(tf.sub(1, m), MASK_NEG));
        return tf.max(masked, 1) as tf.Tensor2D;
      }
      case 'lasttoken': {
        // The last position whose mask is 1 (sentence-transformers flips the mask and takes argmax),
        // so left-padded rows (decoders such as Qwen3-Embedding) and right-padded rows both work; an
        // all-zero row takes position 0. One-hot weights keep the gradient a plain product.
        const positions = tf.reshape(tf.range(1, t + 1, 1, 'int32'), [1, t]);
        const last = tf.cast(tf.maximum(tf.sub(tf.max(tf.mul(tf.cast(attentionMask, 'int32'), positions), 1), 1), 0), 'int32') as tf.Tensor1D;
        // (An equality mask, not tf.oneHot, which rejects depth 1: a batch of one-token rows.)
        const onehot = tf.expandDims(tf.cast(tf.equal(tf.reshape(tf.range(0, t, 1, 'int32'), [1, t]), tf.expandDims(last, 1)), 'float32'), -1);
        return tf.sum(tf.mul(hidden, onehot), 1) as tf.Tensor2D;
      }
      default:
        throw new Error(`pool: unknown pooling mode '${String(mode)}'; expected one of ${POOLING_MODES.join(', ')}`);
    }
  });
}

/** Row-wise L2 normalisation with torch's F.normalize clamp (zero rows stay zero). */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D);
}

/** Rows of `table` for integer `ids` of any shape → [...ids.shape, H]. */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const flat = tf.gather(table, tf.reshape(ids, [-1]));
    return tf.reshape(flat, [...ids.shape, table.shape[1]]);
  });
}
