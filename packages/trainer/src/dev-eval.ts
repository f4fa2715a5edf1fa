import * as tf from '@tensorflow/tfjs';
import type { Qrels } from '@lrat/core';
import { evaluateRun, parseMetrics } from '@lrat/indexer';
import type { Run } from '@lrat/indexer';
import type { Encoder } from './encoders/encoder';
import type { Evaluator } from './train';

export interface DevSet {
  queries: Array<{ id: string; text: string }>;
  docs: Array<{ id: string; text: string }>;
  qrels: Qrels;
}

/**
 * Exact inner-product top-k of every query row against every doc row (both n × dim, row-major),
 * in query chunks so the score matrix stays small.
 */
export function exactTopK(queries: Float32Array, docs: Float32Array, dim: number, k: number): Array<{ indices: Int32Array; scores: Float32Array }> {
  const nq = queries.length / dim;
  const nd = docs.length / dim;
  const kk = Math.min(k, nd);
  const out: Array<{ indices: Int32Array; scores: Float32Array }> = [];
  const d = tf.tensor2d(docs, [nd, dim]);
  try {
    const chunk = Math.max(1, Math.floor(4_000_000 / Math.max(1, nd)));
    for (let i = 0; i < nq; i += chunk) {
      const n = Math.min(chunk, nq - i);
      const { values, indices } = tf.tidy(() => {
        const q = tf.tensor2d(queries.subarray(i * dim, (i + n) * dim), [n, dim]);
        return tf.topk(tf.matMul(q, d, false, true), kk, true);
      });
      const v = values.dataSync() as Float32Array;
      const ix = indices.dataSync() as Int32Array;
      values.dispose();
      indices.dispose();
      for (let r = 0; r < n; r++) out.push({ indices: ix.slice(r * kk, (r + 1) * kk), scores: v.slice(r * kk, (r + 1) * kk) });
    }
  } finally {
    d.dispose();
  }
  return out;
}

/** Ranks the dev docs for each dev query with the encoder (exact search). */
export async function denseRun(encoder: Encoder, dev: DevSet, k: number): Promise<Run> {
  const q = await encoder.embedQueries(dev.queries.map((x) => x.text));
  const d = await encoder.embedDocuments(dev.docs.map((x) => x.text));
  const hits = exactTopK(q, d, encoder.dim, k);
  const run: Run = new Map();
  dev.queries.forEach((query, i) => {
    const h = hits[i];
    run.set(
      query.id,
      Array.from(h.indices, (j, r) => ({ docid: dev.docs[j].id, score: h.scores[r] })),
    );
  });
  return run;
}

/**
 * An Evaluator for `train`: exact dense search over the dev docs, scored with @lrat/indexer's
 * trec_eval-compatible metrics (default "ndcg@10,recall@10,recall@100").
 */
export function devEvaluator(dev: DevSet, metrics = 'ndcg@10,recall@10,recall@100'): Evaluator {
  const specs = parseMetrics(metrics);
  const depth = Math.max(100, ...specs.map((s) => s.k ?? 0));
  return async (encoder) => {
    const run = await denseRun(encoder, dev, depth);
    return evaluateRun(run, dev.qrels, specs).mean;
  };
}
