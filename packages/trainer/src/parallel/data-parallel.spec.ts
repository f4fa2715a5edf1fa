import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/select-backend';
import { contrastiveGradients, type StepBatch } from '../contrastive-step';
import type { Encoder } from '../encoders/encoder';
import { TransformerEncoder } from '../encoders/transformer';
import { layoutBatch, sampleGroup } from '../groups';
import { Rng } from '../rng';
import { train } from '../train';
import { syntheticPairs } from '../testing/synthetic-pairs';
import { tinyEncoder } from '../testing/tiny-encoder';
import { DataParallelSteps } from './data-parallel';

// Data-parallel steps must compute the one-thread step: same loss, same summed gradients (up to
// float summation order), whatever the micro-batch split.
const TINY_BERT = path.resolve(__dirname, '../../testdata/tiny-bert/st-v5');

let tmp: string;
beforeAll(async () => {
  await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'lrat-data-parallel-'));
});
afterAll(() => fsp.rm(tmp, { recursive: true, force: true }));

function groupBatch(): StepBatch {
  const rng = new Rng(5);
  const layout = layoutBatch(syntheticPairs(6, 9).map((s) => sampleGroup(s, 4, rng)));
  return { queries: layout.queries, passages: layout.passages, targets: layout.targets, weights: layout.weights, temperature: 0.05 };
}

async function arrays(grads: tf.Tensor[]): Promise<Float32Array[]> {
  const out = await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>));
  tf.dispose(grads);
  return out;
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

describe('DataParallelSteps', () => {
  it('tiny BERT on 2 workers: the one-thread loss and gradients, with and without micro-batches', async () => {
    const encoder: Encoder = await TransformerEncoder.load({ model: TINY_BERT });
    const named = encoder.trainableWeights?.() ?? encoder.weights();
    const vars = named.map((w) => w.variable);
    const batch = groupBatch();
    const one = await contrastiveGradients(encoder, vars, batch);
    const oneGrads = await arrays(one.grads);
    const pool = await DataParallelSteps.start(encoder, named, 2);
    try {
      for (const micro of [
        { query: 0, passage: 0 }, // each side split in two
        { query: 4, passage: 5 }, // uneven micro-batches, spread over the workers
      ]) {
        const par = await pool.gradients(batch, micro);
        expect(Math.abs(par.loss - one.loss)).toBeLessThan(1e-5 * one.loss);
        const { diff, scale } = maxAbsDiff(await arrays(par.grads), oneGrads);
        expect(scale).toBeGreaterThan(0);
        expect(diff).toBeLessThan(1e-4 * scale);
      }
      // The workers take the caller's current weights at every step: change them, and the gradients follow.
      const w0 = vars[vars.length - 1];
      const moved = tf.add(w0, 0.5);
      w0.assign(moved);
      moved.dispose();
      const after = await contrastiveGradients(encoder, vars, batch);
      const parAfter = await pool.gradients(batch);
      expect(Math.abs(after.loss - one.loss)).toBeGreaterThan(1e-6);
      expect(Math.abs(parAfter.loss - after.loss)).toBeLessThan(1e-5 * after.loss);
      tf.dispose([...after.grads, ...parAfter.grads]);
    } finally {
      await pool.close();
      encoder.dispose();
    }
  });

  it('train({ workers: 2 }) follows the one-thread trajectory (tiny BERT)', async () => {
    const run = async (name: string, workers: number) => {
      const encoder = await TransformerEncoder.load({ model: TINY_BERT });
      const res = await train({ pairs: syntheticPairs(16, 5), encoder, outDir: path.join(tmp, name), epochs: 2, batchSize: 8, groupSize: 4, lr: 1e-3, seed: 2, workers });
      encoder.dispose();
      return res.metrics.filter((m) => m.type === 'train');
    };
    const one = await run('one', 1);
    const two = await run('two', 2);
    expect(two).toHaveLength(4);
    // Every step's loss depends on all earlier updates: equal losses mean equal trajectories.
    two.forEach((m, i) => {
      expect(Math.abs((m.loss as number) - (one[i].loss as number))).toBeLessThan(1e-4);
      expect(Math.abs((m.gradNorm as number) - (one[i].gradNorm as number))).toBeLessThan(1e-4 * (one[i].gradNorm as number));
    });
    expect(one[3].loss as number).not.toBeCloseTo(one[0].loss as number, 3);
  });

  it('refuses an encoder that does not reload from its saved folder as it is', async () => {
    // tinyEncoder tokenises with a function passed in code; its saved config names the Qwen3 tokenizer.
    const encoder = tinyEncoder({ seed: 1 });
    await expect(DataParallelSteps.start(encoder, encoder.weights(), 1)).rejects.toThrow(/embeds differently from this one/);
    encoder.dispose();
  });

  it('rejects a worker count that is not a positive integer', async () => {
    const encoder = tinyEncoder({ seed: 1 });
    await expect(DataParallelSteps.start(encoder, encoder.weights(), 0)).rejects.toThrow(/workers must be a positive integer/);
    encoder.dispose();
  });
});
