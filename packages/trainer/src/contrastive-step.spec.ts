import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend/select-backend';
import { contrastiveGradients, microBatchSizes, type StepBatch } from './contrastive-step';
import type { Encoder } from './encoders/encoder';
import { createEncoder } from './encoders';
import { layoutBatch, sampleGroup } from './groups';
import { Rng } from './rng';
import { train } from './train';
import { syntheticPairs } from './testing/synthetic-pairs';
import { tinyBertEncoder } from './testing/tiny-bert-encoder';
import { tinyEncoder } from './testing/tiny-encoder';

let tmp: string;
beforeAll(async () => {
  await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'lrat-gradcache-'));
});
afterAll(() => fsp.rm(tmp, { recursive: true, force: true }));

/** 6 queries × 4 passages from the synthetic pairs, weighted. */
function groupBatch(): StepBatch {
  const rng = new Rng(3);
  const layout = layoutBatch(syntheticPairs(6, 9).map((s) => sampleGroup(s, 4, rng)));
  return { queries: layout.queries, passages: layout.passages, targets: layout.targets, weights: layout.weights, temperature: 0.05 };
}

async function gradients(encoder: Encoder, batch: StepBatch, micro: { query: number; passage: number }) {
  const vars = encoder.weights().map((w) => w.variable);
  const { loss, grads } = await contrastiveGradients(encoder, vars, batch, micro);
  const arrays = await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>));
  grads.forEach((g) => g.dispose());
  return { loss, arrays };
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): { diff: number; scale: number } {
  let diff = 0;
  let scale = 0;
  a.forEach((x, i) =>
    x.forEach((v, j) => {
      diff = Math.max(diff, Math.abs(v - b[i][j]));
      scale = Math.max(scale, Math.abs(v));
    }),
  );
  return { diff, scale };
}

describe('microBatchSizes', () => {
  it('takes one size for both sides or one per side, and rejects nonsense', () => {
    expect(microBatchSizes(undefined)).toEqual({ query: 0, passage: 0 });
    expect(microBatchSizes(4)).toEqual({ query: 4, passage: 4 });
    expect(microBatchSizes({ passage: 8 })).toEqual({ query: 0, passage: 8 });
    expect(() => microBatchSizes(-1)).toThrow(/query must be a non-negative integer/);
    expect(() => microBatchSizes({ passage: 1.5 })).toThrow(/passage must be a non-negative integer/);
  });
});

describe('gradient caching', () => {
  const cases: Array<[string, () => Promise<Encoder>]> = [
    ['bow (shared weights on both sides)', async () => tinyEncoder({ seed: 4 })],
    // The mlp adapter has a ReLU, separate query/document weights and a normalisation.
    ['use-adapter mlp (per-side weights)', async () => createEncoder('use-adapter', { adapter: 'mlp', hidden: 32, seed: 2, cacheDir: path.join(tmp, 'cache'), embedWorkers: 1 })],
    // Attention with padding masks, LayerNorm, GELU, a trainable embedding table.
    ['2-layer BERT (transformer)', async () => tinyBertEncoder(path.join(tmp, 'tiny-bert'), 3)],
  ];
  it.each(cases)('%s: same loss and gradients as the plain step, for any micro-batch split', async (_name, make) => {
    const encoder = await make();
    const batch = groupBatch();
    const plain = await gradients(encoder, batch, { query: 0, passage: 0 });
    expect(plain.loss).toBeGreaterThan(0);
    for (const micro of [
      { query: 1, passage: 1 },
      { query: 4, passage: 5 }, // uneven last micro-batches on both sides
      { query: 0, passage: 7 }, // passages only
    ]) {
      const cached = await gradients(encoder, batch, micro);
      expect(Math.abs(cached.loss - plain.loss)).toBeLessThan(1e-5 * plain.loss);
      const { diff, scale } = maxAbsDiff(cached.arrays, plain.arrays);
      expect(scale).toBeGreaterThan(0);
      expect(diff).toBeLessThan(1e-4 * scale);
    }
    encoder.dispose();
  });

  it('leaks no tensors', async () => {
    const encoder = tinyEncoder({ seed: 4 });
    const batch = groupBatch();
    await gradients(encoder, batch, { query: 2, passage: 3 });
    const before = tf.memory().numTensors;
    await gradients(encoder, batch, { query: 2, passage: 3 });
    expect(tf.memory().numTensors).toBe(before);
    encoder.dispose();
  });

  it('trains along the same trajectory as the plain step', async () => {
    const run = async (name: string, microBatch: number) => {
      const res = await train({ pairs: syntheticPairs(32, 5), encoder: tinyEncoder({ seed: 6 }), outDir: path.join(tmp, name), epochs: 2, batchSize: 8, groupSize: 4, lr: 5e-3, seed: 2, microBatch });
      const losses = res.metrics.map((m) => m.loss as number);
      const weights = new Float32Array((await fsp.readFile(path.join(tmp, name, 'last', 'weights.bin'))).buffer.slice(0));
      return { losses, weights };
    };
    const plain = await run('plain', 0);
    const cached = await run('cached', 3);
    expect(cached.losses).toHaveLength(8);
    cached.losses.forEach((l, i) => expect(Math.abs(l - plain.losses[i])).toBeLessThan(1e-4));
    expect(plain.losses[7]).toBeLessThan(plain.losses[0]);
    let diff = 0;
    cached.weights.forEach((w, i) => (diff = Math.max(diff, Math.abs(w - plain.weights[i]))));
    expect(diff).toBeLessThan(1e-4);
  });
});
