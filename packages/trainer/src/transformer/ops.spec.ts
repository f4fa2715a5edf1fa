import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/select-backend';
import { Rng } from '../rng';
import { additiveMask, dense, embeddingLookup, gelu, l2Normalize, layerNorm, pool, selfAttention, type AttentionParams } from './ops';

function rand(shape: number[], rng: Rng, scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal() * scale), shape);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Reference attention: the textbook formula with autograd-only tfjs ops (transposed matMuls). */
function refAttention(x: tf.Tensor3D, maskRows: number[][], p: AttentionParams, heads: number): tf.Tensor {
  const [b, t, h] = x.shape;
  const hd = h / heads;
  const lin = (z: tf.Tensor, d: { kernel: tf.Tensor2D; bias?: tf.Tensor1D }) => tf.add(tf.matMul(tf.reshape(z, [-1, h]), d.kernel), d.bias!);
  const sp = (z: tf.Tensor) => tf.transpose(tf.reshape(z, [b, t, heads, hd]), [0, 2, 1, 3]);
  const q = sp(lin(x, p.query));
  const k = sp(lin(x, p.key));
  const v = sp(lin(x, p.value));
  const mask = tf.tensor(maskRows.flatMap((r) => r.map((m) => (m ? 0 : -1e9))), [b, 1, 1, t]);
  const s = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(hd)), mask);
  const ctx = tf.reshape(tf.transpose(tf.matMul(tf.softmax(s), v), [0, 2, 1, 3]), [b * t, h]);
  return tf.reshape(lin(ctx, p.output), [b, t, h]);
}

describe.each(['cpu', 'wasm'] as const)('transformer ops on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend({ prefer: backend, strict: true, env: {}, log: () => undefined });
  });

  it('dense matches x·W + b and its hand-written gradient matches autograd', () => {
    const rng = Rng.derive(1);
    const x = rand([2, 3, 5], rng);
    const w = rand([5, 4], rng) as tf.Tensor2D;
    const b = rand([4], rng) as tf.Tensor1D;
    const dy = rand([2, 3, 4], rng);
    const ours = tf.grads((x_: tf.Tensor, w_: tf.Tensor, b_: tf.Tensor) => tf.sum(tf.mul(dense(x_, w_ as tf.Tensor2D, b_ as tf.Tensor1D), dy)));
    const ref = tf.grads((x_: tf.Tensor, w_: tf.Tensor, b_: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.reshape(tf.matMul(tf.reshape(x_, [6, 5]), w_ as tf.Tensor2D), [2, 3, 4]), b_), dy)));
    const go = ours([x, w, b]);
    const gr = ref([x, w, b]);
    for (let i = 0; i < 3; i++) expect(maxAbsDiff(go[i], gr[i])).toBeLessThan(1e-5);
    expect(maxAbsDiff(dense(x, w, b), tf.add(tf.reshape(tf.matMul(tf.reshape(x, [6, 5]), w), [2, 3, 4]), b))).toBeLessThan(1e-6);
    // Without a bias, and on a variable (what training differentiates).
    const v = tf.variable(w, true);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(dense(x, v), dy)) as tf.Scalar, [v]);
    const [, gw] = tf.grads((x_: tf.Tensor, w_: tf.Tensor) => tf.sum(tf.mul(tf.reshape(tf.matMul(tf.reshape(x_, [6, 5]), w_ as tf.Tensor2D), [2, 3, 4]), dy)))([x, w]);
    expect(maxAbsDiff(grads[v.name], gw)).toBeLessThan(1e-5);
    v.dispose();
  });

  it('layerNorm, gelu, l2Normalize and embeddingLookup match their formulas', () => {
    const row = [1, -2, 3.5, 0.25];
    const mean = row.reduce((a, b) => a + b) / 4;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
    const gamma = [1, 2, 0.5, -1];
    const beta = [0, 0.1, -0.2, 0.3];
    const expected = row.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * gamma[i] + beta[i]);
    const got = layerNorm(tf.tensor2d([row]), tf.tensor1d(gamma), tf.tensor1d(beta), 1e-5).dataSync();
    expected.forEach((e, i) => expect(got[i]).toBeCloseTo(e, 5));
    // Exact erf GELU (not tanh): gelu(1) = 0.8413447, gelu(-0.5) = -0.1542687 (torch.nn.functional.gelu).
    const g = gelu(tf.tensor1d([1, -0.5, 0, 3])).dataSync();
    expect(g[0]).toBeCloseTo(0.8413447, 6);
    expect(g[1]).toBeCloseTo(-0.1542687, 6);
    expect(g[2]).toBe(0);
    expect(g[3]).toBeCloseTo(2.9959502, 5);
    const n = l2Normalize(tf.tensor2d([[3, 4], [0, 0]])).dataSync();
    expect(Array.from(n)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0]);
    const e = embeddingLookup(tf.tensor2d([[1, 2], [3, 4], [5, 6]]), tf.tensor2d([[2, 0]], [1, 2], 'int32'));
    expect(e.shape).toEqual([1, 2, 2]);
    expect(Array.from(e.dataSync())).toEqual([5, 6, 1, 2]);
  });

  it('layerNorm and gelu gradients match central finite differences', () => {
    const rng = Rng.derive(4);
    const x = rand([2, 6], rng);
    const gamma = rand([6], rng) as tf.Tensor1D;
    const beta = rand([6], rng) as tf.Tensor1D;
    const w = rand([2, 6], rng);
    const f = (x_: tf.Tensor) => tf.sum(tf.mul(gelu(layerNorm(x_, gamma, beta, 1e-5)), w));
    const [g] = tf.grads(f)([x]);
    const xs = x.dataSync();
    const gs = g.dataSync();
    const h = 1e-2;
    for (let i = 0; i < xs.length; i++) {
      const plus = Float32Array.from(xs);
      const minus = Float32Array.from(xs);
      plus[i] += h;
      minus[i] -= h;
      const fd = ((f(tf.tensor(plus, x.shape)).dataSync()[0] as number) - (f(tf.tensor(minus, x.shape)).dataSync()[0] as number)) / (2 * h);
      expect(Math.abs(fd - gs[i])).toBeLessThan(5e-3 * Math.max(1, Math.abs(fd)));
    }
  });

  it('layerNorm\'s hand-written gradient matches autograd through the formula, for x, gamma and beta', () => {
    const rng = Rng.derive(9);
    const x = rand([2, 3, 8], rng);
    const gamma = rand([8], rng) as tf.Tensor1D;
    const beta = rand([8], rng) as tf.Tensor1D;
    const w = rand([2, 3, 8], rng);
    const formula = (x_: tf.Tensor, g_: tf.Tensor, b_: tf.Tensor) => {
      const centered = tf.sub(x_, tf.mean(x_, -1, true));
      const normed = tf.mul(centered, tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), 1e-6)));
      return tf.sum(tf.mul(tf.add(tf.mul(normed, g_), b_), w));
    };
    const mine = (x_: tf.Tensor, g_: tf.Tensor, b_: tf.Tensor) => tf.sum(tf.mul(layerNorm(x_, g_ as tf.Tensor1D, b_ as tf.Tensor1D, 1e-6), w));
    expect(mine(x, gamma, beta).dataSync()[0]).toBeCloseTo(formula(x, gamma, beta).dataSync()[0], 4);
    const want = tf.grads(formula)([x, gamma, beta]);
    const got = tf.grads(mine)([x, gamma, beta]);
    got.forEach((g, i) => {
      expect(g.shape).toEqual(want[i].shape);
      const a = g.dataSync();
      const b = want[i].dataSync();
      a.forEach((v, j) => expect(Math.abs(v - b[j])).toBeLessThan(1e-4 * Math.max(1, Math.abs(b[j]))));
    });
  });

  it('selfAttention matches the textbook formula in value and gradient, and ignores padding', () => {
    const rng = Rng.derive(2);
    const h = 8;
    const heads = 2;
    const mk = () => ({ kernel: rand([h, h], rng, 0.3) as tf.Tensor2D, bias: rand([h], rng, 0.1) as tf.Tensor1D });
    const p: AttentionParams = { query: mk(), key: mk(), value: mk(), output: mk() };
    const x = rand([2, 4, h], rng) as tf.Tensor3D;
    const maskRows = [
      [1, 1, 1, 1],
      [1, 1, 0, 0],
    ];
    const mask = additiveMask(tf.tensor2d(maskRows, [2, 4], 'int32'));
    expect(maxAbsDiff(selfAttention(x, mask, p, heads), refAttention(x, maskRows, p, heads))).toBeLessThan(1e-5);
    const dy = rand([2, 4, h], rng);
    const ks = [p.query.kernel, p.key.kernel, p.value.kernel, p.output.kernel];
    const gOurs = tf.grads((x_: tf.Tensor, ...k: tf.Tensor[]) => {
      const q: AttentionParams = { query: { ...p.query, kernel: k[0] as tf.Tensor2D }, key: { ...p.key, kernel: k[1] as tf.Tensor2D }, value: { ...p.value, kernel: k[2] as tf.Tensor2D }, output: { ...p.output, kernel: k[3] as tf.Tensor2D } };
      return tf.sum(tf.mul(selfAttention(x_ as tf.Tensor3D, mask, q, heads), dy));
    })([x, ...ks]);
    const gRef = tf.grads((x_: tf.Tensor, ...k: tf.Tensor[]) => {
      const q: AttentionParams = { query: { ...p.query, kernel: k[0] as tf.Tensor2D }, key: { ...p.key, kernel: k[1] as tf.Tensor2D }, value: { ...p.value, kernel: k[2] as tf.Tensor2D }, output: { ...p.output, kernel: k[3] as tf.Tensor2D } };
      return tf.sum(tf.mul(refAttention(x_ as tf.Tensor3D, maskRows, q, heads), dy));
    })([x, ...ks]);
    gOurs.forEach((g, i) => expect(maxAbsDiff(g, gRef[i])).toBeLessThan(1e-4));
    // Changing a padded token of row 1 changes nothing in row 1's real tokens.
    const x2 = tf.tidy(() => {
      const buf = x.bufferSync();
      for (let j = 0; j < h; j++) buf.set(100, 1, 3, j);
      return buf.toTensor() as tf.Tensor3D;
    });
    const a = selfAttention(x, mask, p, heads).slice([1, 0, 0], [1, 2, h]);
    const b2 = selfAttention(x2, mask, p, heads).slice([1, 0, 0], [1, 2, h]);
    expect(maxAbsDiff(a, b2)).toBeLessThan(1e-6);
  });

  it('pools cls, mean and max over non-padding tokens, and the last real token', () => {
    const hidden = tf.tensor3d(
      [
        [[1, -1], [3, 5], [100, 100]],
        [[2, 2], [4, -6], [0, 1]],
      ],
      [2, 3, 2],
    );
    const mask = tf.tensor2d([[1, 1, 0], [1, 1, 1]], [2, 3], 'int32');
    expect(Array.from(pool(hidden, mask, 'cls').dataSync())).toEqual([1, -1, 2, 2]);
    expect(Array.from(pool(hidden, mask, 'mean').dataSync())).toEqual([2, 2, 2, -1]);
    expect(Array.from(pool(hidden, mask, 'max').dataSync())).toEqual([3, 5, 4, 2]);
    expect(Array.from(pool(hidden, mask, 'lasttoken').dataSync())).toEqual([3, 5, 0, 1]);
    const [g] = tf.grads((h_: tf.Tensor) => tf.sum(pool(h_ as tf.Tensor3D, mask, 'mean')))([hidden]);
    expect(Array.from(g.dataSync())).toEqual([0.5, 0.5, 0.5, 0.5, 0, 0, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3].map((v) => Math.fround(v)));
  });
});
