import * as tf from '@tensorflow/tfjs';
import { concatRows, inferenceBlas, probeBlas, segmentedProduct, withInferenceRows } from './native-inference';
import type { NativeBlas } from './native-matmul';
import { selectBackend } from './select-backend';
import { jsBlas } from '../testing/js-blas';

// Inference products on the native BLAS: a text's rows must come out bit for bit the same whatever
// the texts beside it, and the probe must refuse a BLAS that cannot promise that.

const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin((i + 1) * seed) * 0.7);
const bits = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex');

/** This workspace's BLAS with its products' rows then changed by `perturb` (fast, unlike jsBlas). */
function perturbed(perturb: (row: number, m: number, value: number) => number): NativeBlas {
  const real = inferenceBlas()?.blas;
  if (!real) throw new Error('no native BLAS');
  return {
    blasThreads: () => false,
    sgemm: (ta, tb, m, n, k, a, b, c, batch, sa, sb, sc) => {
      real.sgemm(ta, tb, m, n, k, a, b, c, batch, sa, sb, sc);
      for (let i = 0; i < m * n; i++) c[i] = perturb(Math.floor(i / n), m, c[i]);
    },
  };
}

describe('native inference products', () => {
  beforeAll(async () => {
    await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
  });

  it("probes this workspace's BLAS as usable, and LRAT_NATIVE_BLAS=0 turns it off", () => {
    const native = inferenceBlas();
    expect(native).not.toBeNull();
    expect(native?.fingerprint).toMatch(/^blas\d+-[0-9a-f]{12}$/);
    expect(inferenceBlas({ LRAT_NATIVE_BLAS: '0' })).toBeNull();
  });

  it('refuses a BLAS whose rows depend on their place in the product, and accepts one whose rows do not', () => {
    // OpenBLAS-like with 16-row tiles: a row's last bit depends on its index; 12-row alignment fails.
    const tiled = jsBlas((row, _m, v) => (row % 16 < 8 ? v : Math.fround(v * (1 + 2 ** -23))));
    expect(probeBlas(tiled)?.tile).toBe(16);
    // A row that depends on the product's height: no alignment helps.
    const byHeight = perturbed((_row, m, v) => (m > 100 ? Math.fround(v * (1 + 2 ** -23)) : v));
    expect(probeBlas(byHeight)).toBeNull();
    // A wrong product is refused too.
    expect(probeBlas(perturbed((_row, _m, v) => v + 0.01))).toBeNull();
    expect(probeBlas(jsBlas((_row, _m, v) => v))?.tile).toBe(12);
  });

  it('computes each segment bit for bit the same beside any others, in any order and at any offset', () => {
    const native = inferenceBlas();
    if (!native) throw new Error('no native BLAS');
    const [k, n] = [96, 56];
    const w = values(k * n, 0.77);
    const lengths = [1, 3, 6, 7, 12, 13, 25, 40, 128];
    const texts = lengths.map((len, i) => values(len * k, 0.3 + i * 0.11));
    const product = (order: number[], before = 0) => {
      const parts = [values(before * k, 0.05), ...order.map((i) => texts[i])];
      const a = concatRows(parts);
      const c = new Float32Array((a.length / k) * n);
      segmentedProduct(native.blas, native.tile, a, w, c, [before, ...order.map((i) => lengths[i])], k, n);
      const rows = new Map<number, string>();
      let row = before;
      for (const i of order) {
        rows.set(i, bits(c.subarray(row * n, (row + lengths[i]) * n)));
        row += lengths[i];
      }
      return rows;
    };
    const alone = new Map(lengths.map((_, i) => [i, product([i]).get(i)]));
    const all = lengths.map((_, i) => i);
    for (const [order, before] of [
      [all, 0],
      [[...all].reverse(), 5],
      [[8, 2, 0, 5], 301],
      [[3, 1, 4, 1, 5], 12],
    ] as Array<[number[], number]>) {
      for (const [i, b] of product(order, before)) expect(b).toBe(alone.get(i));
    }
  });

  it('routes a scoped weight through segmented products that match XNNPACK within 1e-5, and refuses an unknown row layout', async () => {
    const native = inferenceBlas();
    const w = tf.tensor2d(values(64 * 48, 0.9), [64, 48]);
    const x = tf.tensor2d(values(30 * 64, 0.2), [30, 64]);
    const scoped = withInferenceRows(native, [w], [[7, 11, 12]], () => tf.matMul(x, w));
    const plain = tf.matMul(x, w);
    const [s, p] = [(await scoped.data()) as Float32Array, (await plain.data()) as Float32Array];
    let worst = 0;
    for (let i = 0; i < s.length; i++) worst = Math.max(worst, Math.abs(s[i] - p[i]));
    expect(worst).toBeLessThan(1e-5);
    // The first text's rows, alone.
    const first = withInferenceRows(native, [w], [[7]], () => tf.matMul(tf.slice(x, [0, 0], [7, 64]), w));
    expect(bits((await first.data()) as Float32Array)).toBe(bits(s.subarray(0, 7 * 48)));
    expect(() => withInferenceRows(native, [w], [[4, 4]], () => tf.matMul(x, w))).toThrow(/0 row layouts of 30 rows/);
    // Another weight is not in the scope: multiplied as usual.
    const other = tf.tensor2d(values(64 * 8, 0.4), [64, 8]);
    expect(() => withInferenceRows(native, [w], [[4, 4]], () => tf.matMul(x, other))).not.toThrow();
    tf.dispose([w, x, scoped, plain, first, other]);
  });
});
