import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './select-backend';
import { isNoOpTranspose, unsortedSegmentSum } from './wasm-kernels';
import { BowEncoder } from '../encoders/bow';
import { weightedInfoNce } from '../loss';

async function onBackend<T>(name: 'wasm' | 'cpu', fn: () => T | Promise<T>): Promise<T> {
  await selectBackend({ prefer: name, strict: true, env: {}, log: () => undefined });
  expect(tf.getBackend()).toBe(name);
  return fn();
}

describe('wasm kernels', () => {
  it('unsortedSegmentSum adds rows into their segments and drops out-of-range ids', () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(Array.from(unsortedSegmentSum(x, [4, 2], [2, 0, 2, 5], 3))).toEqual([3, 4, 0, 0, 1 + 5, 2 + 6]);
  });

  it('recognises transposes that move no data', () => {
    expect(isNoOpTranspose([30522, 384], [0, 1])).toBe(true);
    expect(isNoOpTranspose([1, 7], [1, 0])).toBe(true);
    expect(isNoOpTranspose([2, 1, 3], [1, 0, 2])).toBe(true);
    expect(isNoOpTranspose([2, 3], [1, 0])).toBe(false);
    expect(isNoOpTranspose([2, 1, 3], [2, 1, 0])).toBe(false);
  });

  it('shares data for no-op transposes, and the shared tensors live and die independently', async () => {
    await onBackend('wasm', async () => {
      const before = tf.memory().numTensors;
      const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [1, 6]);
      const copy = tf.clone(x);
      const flipped = tf.transpose(x); // [6, 1]: moves nothing
      const moved = tf.tidy(() => tf.transpose(tf.reshape(x, [2, 3]))); // a real transpose
      expect(flipped.shape).toEqual([6, 1]);
      x.dispose();
      expect(Array.from(await copy.data())).toEqual([1, 2, 3, 4, 5, 6]);
      expect(Array.from(await flipped.data())).toEqual([1, 2, 3, 4, 5, 6]);
      expect(Array.from(await moved.data())).toEqual([1, 4, 2, 5, 3, 6]);
      // A variable assigned from a shared tensor keeps its value when the source is disposed.
      const zeros = tf.zeros([6, 1]);
      const v = tf.variable(zeros);
      zeros.dispose();
      v.assign(flipped);
      flipped.dispose();
      copy.dispose();
      expect(Array.from(await v.data())).toEqual([1, 2, 3, 4, 5, 6]);
      v.dispose();
      moved.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it('multiplies with transposed operands (materialised before the wasm kernel) exactly like cpu', async () => {
    const mm = () =>
      tf.tidy(() => {
        const a = tf.tensor3d(Array.from({ length: 2 * 4 * 3 }, (_, i) => Math.sin(i)), [2, 4, 3]);
        const b = tf.tensor3d(Array.from({ length: 2 * 4 * 5 }, (_, i) => Math.cos(i)), [2, 4, 5]);
        const c = tf.tensor3d(Array.from({ length: 2 * 5 * 3 }, (_, i) => Math.sin(2 * i)), [2, 5, 3]);
        return [tf.matMul(a, b, true, false), tf.matMul(b, c, false, false), tf.matMul(a, c, false, true), tf.matMul(c, b, true, true)].map((t) => Array.from(t.dataSync()));
      });
    const cpu = await onBackend('cpu', mm);
    const before = tf.memory().numTensors;
    const wasm = await onBackend('wasm', mm);
    expect(tf.memory().numTensors).toBe(before);
    wasm.forEach((m, i) => m.forEach((v, j) => expect(v).toBeCloseTo(cpu[i][j], 5)));
  });

  it('routes batched products (entry by entry through XNNPACK) and leading-axis sums exactly like cpu', async () => {
    const seq = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
    const run = () =>
      tf.tidy(() => {
        // Attention-shaped: [batch, heads, T, hd] with every transpose combination, a broadcast batch,
        // and the sums a bias / LayerNorm gradient asks for (leading axes, with and without keepDims).
        const q = tf.tensor4d(seq(2 * 3 * 5 * 4, (i) => Math.sin(i)), [2, 3, 5, 4]);
        const k = tf.tensor4d(seq(2 * 3 * 5 * 4, (i) => Math.cos(3 * i)), [2, 3, 5, 4]);
        const w = tf.tensor3d(seq(4 * 6, (i) => Math.sin(5 * i)), [1, 4, 6]);
        const big = tf.tensor3d(seq(6 * 40 * 24, (i) => Math.sin(0.7 * i)), [6, 40, 24]);
        return [
          tf.matMul(q, k, false, true),
          tf.matMul(q, k, true, false),
          tf.matMul(tf.matMul(q, k, false, true), k),
          tf.matMul(tf.reshape(q, [6, 5, 4]), w),
          tf.sum(big, 0),
          tf.sum(big, [0, 1]),
          tf.sum(big, [1, 0], true),
          tf.sum(big, -1),
        ].map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) }));
      });
    const cpu = await onBackend('cpu', run);
    const before = tf.memory().numTensors;
    const wasm = await onBackend('wasm', run);
    expect(tf.memory().numTensors).toBe(before);
    wasm.forEach((m, i) => {
      expect(m.shape).toEqual(cpu[i].shape);
      m.values.forEach((v, j) => expect(v).toBeCloseTo(cpu[i].values[j], 3));
    });
  });

  it('gives the same embedding-table gradient (gather → UnsortedSegmentSum) on wasm as on cpu', async () => {
    const table = Array.from({ length: 7 * 5 }, (_, i) => Math.sin(i));
    const ids = [3, 0, 3, 6, 2, 3];
    const weights = Array.from({ length: 6 * 5 }, (_, i) => Math.cos(i));
    const grad = () =>
      tf.tidy(() => {
        const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.tanh(tf.gather(t, tf.tensor1d(ids, 'int32'))), tf.tensor2d(weights, [6, 5])));
        return tf.grad(f)(tf.tensor2d(table, [7, 5])).arraySync() as number[][];
      });
    const cpu = await onBackend('cpu', grad);
    const wasm = await onBackend('wasm', grad);
    expect(wasm.flat().some((v) => v !== 0)).toBe(true);
    wasm.flat().forEach((v, i) => expect(v).toBeCloseTo(cpu.flat()[i], 5));
    // Row 3 is gathered three times: its gradient is the sum of three contributions, rows 1, 4, 5 get none.
    expect(wasm[1].every((v) => v === 0) && wasm[4].every((v) => v === 0) && wasm[5].every((v) => v === 0)).toBe(true);
  });

  it('runs the weighted InfoNCE gradient of the bow encoder identically on wasm and cpu', async () => {
    const toks = (t: string) => Array.from(t).map((c) => c.charCodeAt(0));
    const run = async () => {
      const enc = new BowEncoder({ buckets: 64, embeddingDim: 8, dim: 4, seed: 3 }, toks);
      const q = await enc.prepare(['ab', 'cd'], 'query');
      const p = await enc.prepare(['abc', 'xy', 'cde'], 'document');
      const vars = enc.weights().map((w) => w.variable);
      const { value, grads } = tf.variableGrads(() => weightedInfoNce({ queries: enc.forward(q, 'query'), passages: enc.forward(p, 'document'), targets: [0, 2], weights: [2, 0.5], temperature: 0.05 }), vars);
      const out = { loss: value.dataSync()[0], g: vars.map((v) => Array.from(grads[v.name].dataSync())) };
      enc.dispose();
      return out;
    };
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    expect(wasm.loss).toBeCloseTo(cpu.loss, 4);
    wasm.g.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(cpu.g[i][j], 4)));
  });
});
