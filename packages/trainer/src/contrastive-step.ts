import * as tf from '@tensorflow/tfjs';
import type { Encoder, PreparedBatch, Side } from './encoders/encoder';
import { weightedInfoNce } from './loss';
import { withNativeBlas } from './backend/native-matmul';

/** One group batch laid out for the loss (see layoutBatch). */
export interface StepBatch {
  queries: string[];
  passages: string[];
  targets: number[];
  weights?: number[];
  temperature: number;
}

/** Texts per micro-batch on each side; 0 (or ≥ the side's size) = the whole side at once. */
export interface MicroBatchSizes {
  query: number;
  passage: number;
}

export interface StepGradients {
  loss: number;
  /** One gradient per variable, in the order of `vars` (zeros for a variable the loss does not reach). */
  grads: tf.Tensor[];
}

/**
 * Normalises the user-facing `microBatch` option: one number for both sides, or per side; 0 = off.
 */
export function microBatchSizes(option: number | Partial<MicroBatchSizes> | undefined): MicroBatchSizes {
  const sizes = typeof option === 'number' || option === undefined ? { query: option ?? 0, passage: option ?? 0 } : { query: option.query ?? 0, passage: option.passage ?? 0 };
  for (const [side, n] of Object.entries(sizes)) {
    if (!Number.isInteger(n) || n < 0) throw new Error(`microBatch: ${side} must be a non-negative integer, got ${n}`);
  }
  return sizes;
}

/**
 * Loss and variable gradients of one weighted-InfoNCE step. Without micro-batches, one tape over both
 * sides (the plain step). With them, gradient caching (Gao et al. 2021, "GradCache"): embed every
 * micro-batch with no tape, take the loss gradient w.r.t. the embeddings — cheap, and the only part
 * that needs the whole batch at once for in-batch negatives — then re-run each micro-batch under a tape
 * and back-propagate its slice of that gradient, summing variable gradients. By the chain rule the
 * sum equals the plain gradient; peak memory is one micro-batch's activations instead of the whole
 * batch's. The re-run must reproduce the first forward exactly, so encoders must be deterministic
 * in `forward` (no dropout), which ours are.
 */
export async function contrastiveGradients(encoder: Encoder, vars: readonly tf.Variable[], batch: StepBatch, micro: MicroBatchSizes = { query: 0, passage: 0 }): Promise<StepGradients> {
  const cached = (micro.query > 0 && micro.query < batch.queries.length) || (micro.passage > 0 && micro.passage < batch.passages.length);
  return cached ? cachedStep(encoder, vars, batch, micro) : plainStep(encoder, vars, batch);
}

async function plainStep(encoder: Encoder, vars: readonly tf.Variable[], batch: StepBatch): Promise<StepGradients> {
  const qb = await encoder.prepare(batch.queries, 'query');
  const pb = await encoder.prepare(batch.passages, 'document');
  try {
    const { value, grads } = withNativeBlas(() =>
      tf.variableGrads(
        () =>
          weightedInfoNce({
            queries: encoder.forward(qb, 'query'),
            passages: encoder.forward(pb, 'document'),
            targets: batch.targets,
            weights: batch.weights,
            temperature: batch.temperature,
          }),
        [...vars],
      ),
    );
    const loss = (await value.data())[0];
    value.dispose();
    return { loss, grads: vars.map((v) => grads[v.name] ?? tf.zerosLike(v)) };
  } finally {
    qb.dispose();
    pb.dispose();
  }
}

interface Chunk {
  side: Side;
  /** First row of this micro-batch in its side's embedding matrix. */
  start: number;
  batch: PreparedBatch;
}

/** Micro-batches of `size` rows (0 = one of all `n`) as [start, count) ranges, in order. */
export function microBatchRanges(n: number, size: number): Array<{ start: number; count: number }> {
  const step = size > 0 ? size : n;
  const out: Array<{ start: number; count: number }> = [];
  for (let start = 0; start < n; start += step) out.push({ start, count: Math.min(step, n - start) });
  return out;
}

async function prepareChunks(encoder: Encoder, texts: string[], side: Side, size: number): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  for (const { start, count } of microBatchRanges(texts.length, size)) chunks.push({ side, start, batch: await encoder.prepare(texts.slice(start, start + count), side) });
  return chunks;
}

/**
 * The loss of a step from its embeddings (no tape upstream of them) and the loss gradient w.r.t.
 * each side's embeddings: the part of a gradient-cached step that needs the whole batch at once.
 * Disposes neither input; the caller owns the returned gradients.
 */
export async function lossAndEmbeddingGradients(q: tf.Tensor2D, p: tf.Tensor2D, batch: StepBatch): Promise<{ loss: number; gq: tf.Tensor; gp: tf.Tensor }> {
  const lossAndGrad = tf.valueAndGrads((qe: tf.Tensor, pe: tf.Tensor) =>
    weightedInfoNce({ queries: qe as tf.Tensor2D, passages: pe as tf.Tensor2D, targets: batch.targets, weights: batch.weights, temperature: batch.temperature }),
  );
  const { value, grads } = lossAndGrad([q, p]);
  const loss = (await value.data())[0];
  value.dispose();
  return { loss, gq: grads[0], gp: grads[1] };
}

/**
 * Back-propagates `g` (the loss gradient w.r.t. this micro-batch's embeddings) through a taped
 * forward of `prepared` and adds each variable's gradient into `sums` (null = none yet).
 */
export function addChunkGradients(encoder: Encoder, vars: readonly tf.Variable[], prepared: PreparedBatch, side: Side, g: tf.Tensor, sums: Array<tf.Tensor | null>): void {
  // A side no trainable weight acts on adds nothing (and tfjs refuses a tape without a variable on it).
  if (encoder.trainsSide?.(side) === false) return;
  const { value: dot, grads } = withNativeBlas(() => tf.variableGrads(() => tf.sum(tf.mul(encoder.forward(prepared, side), g)) as tf.Scalar, [...vars]));
  dot.dispose();
  vars.forEach((v, i) => {
    const gi = grads[v.name];
    if (!gi) return;
    const prev = sums[i];
    sums[i] = prev ? tf.add(prev, gi) : gi;
    if (prev) {
      prev.dispose();
      gi.dispose();
    }
  });
}

async function cachedStep(encoder: Encoder, vars: readonly tf.Variable[], batch: StepBatch, micro: MicroBatchSizes): Promise<StepGradients> {
  const chunks = [...(await prepareChunks(encoder, batch.queries, 'query', micro.query)), ...(await prepareChunks(encoder, batch.passages, 'document', micro.passage))];
  const sums: Array<tf.Tensor | null> = vars.map(() => null);
  try {
    // 1. Embeddings of the whole batch, no tape (outside any gradient scope tfjs records nothing).
    const embed = (side: Side) => {
      const rows = chunks.filter((c) => c.side === side).map((c) => withNativeBlas(() => encoder.forward(c.batch, side)));
      const all = rows.length === 1 ? rows[0] : tf.concat(rows);
      if (rows.length > 1) rows.forEach((r) => r.dispose());
      return all as tf.Tensor2D;
    };
    const q = embed('query');
    const p = embed('document');
    // 2. Loss and its gradient w.r.t. the embeddings.
    const { loss, gq, gp } = await lossAndEmbeddingGradients(q, p, batch);
    q.dispose();
    p.dispose();
    // 3. Per micro-batch: forward under the tape, back-propagate the cached slice, accumulate.
    for (const c of chunks) {
      const g = tf.slice(c.side === 'query' ? gq : gp, [c.start, 0], [c.batch.size, -1]);
      addChunkGradients(encoder, vars, c.batch, c.side, g, sums);
      g.dispose();
    }
    gq.dispose();
    gp.dispose();
    return { loss, grads: vars.map((v, i) => sums[i] ?? tf.zerosLike(v)) };
  } catch (err) {
    sums.forEach((s) => s?.dispose());
    throw err;
  } finally {
    chunks.forEach((c) => c.batch.dispose());
  }
}
