import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './select-backend';
import { activeNativeBlas, nativeBlas, withNativeBlas } from './native-matmul';

// Inside a training step the native products must give what the wasm kernels give (to float
// rounding); outside one, products stay on wasm, where a row of a dense layer comes out bit for bit
// the same whatever the rows beside it (OpenBLAS's rows would not: see native-matmul.ts).

const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin((i + 1) * seed) * 0.7);

/** Products computed inside a training step's scope (native) or outside it (wasm). */
function product(native: boolean, fn: () => tf.Tensor): tf.Tensor {
  return native ? withNativeBlas(fn) : fn();
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  expect(worst).toBeLessThan(1e-5);
}

describe('native BLAS products on the wasm backend', () => {
  beforeAll(async () => {
    await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
  });

  it('is available in this workspace (the bootstrap builds @lrat/faiss against the system BLAS)', () => {
    expect(nativeBlas()).not.toBeNull();
    expect(withNativeBlas(() => activeNativeBlas())).toBe(nativeBlas());
    expect(activeNativeBlas()).toBeNull();
  });

  const cases: Array<{ name: string; a: number[]; b: number[]; ta: boolean; tb: boolean }> = [
    { name: 'dense layer (rows · weight)', a: [101, 64], b: [64, 48], ta: false, tb: false },
    { name: 'batched rows · one weight', a: [3, 37, 64], b: [64, 48], ta: false, tb: false },
    { name: 'rows · transposed weight (input gradient)', a: [59, 48], b: [64, 48], ta: false, tb: true },
    { name: 'transposed rows · rows (weight gradient)', a: [59, 64], b: [59, 48], ta: true, tb: false },
    { name: 'batched transposed products (attention gradient)', a: [2, 3, 17, 16], b: [2, 3, 17, 8], ta: true, tb: false },
    { name: 'both transposed', a: [20, 30], b: [40, 20], ta: true, tb: true },
    { name: 'batched attention scores', a: [4, 17, 16], b: [4, 16, 17], ta: false, tb: false },
    { name: 'one matrix · batched', a: [17, 16], b: [4, 16, 9], ta: false, tb: false },
  ];
  for (const c of cases) {
    it(`gives the wasm kernel's product: ${c.name}`, async () => {
      const run = () =>
        tf.tidy(() => {
          const a = tf.tensor(values(c.a.reduce((x, y) => x * y, 1), 1.3), c.a);
          const b = tf.tensor(values(c.b.reduce((x, y) => x * y, 1), 2.9), c.b);
          return tf.matMul(a, b, c.ta, c.tb);
        });
      const [native, wasm] = [product(true, run), product(false, run)];
      expect(native.shape).toEqual(wasm.shape);
      expectClose((await native.data()) as Float32Array, (await wasm.data()) as Float32Array);
      tf.dispose([native, wasm]);
    });
  }

  it('outside a training step computes a row of a dense layer the same, bit for bit, whatever the rows beside it', async () => {
    const k = 96;
    const w = tf.tensor2d(values(k * 80, 0.77), [k, 80]);
    const all = tf.tensor2d(values(60 * k, 0.31), [60, k]);
    const full = (await tf.matMul(all, w).data()) as Float32Array;
    for (const [start, rows] of [[0, 1], [1, 5], [3, 13], [7, 48], [59, 1]]) {
      const part = tf.tidy(() => tf.matMul(tf.slice(all, [start, 0], [rows, k]), w));
      expect(Array.from((await part.data()) as Float32Array)).toEqual(Array.from(full.subarray(start * 80, (start + rows) * 80)));
      part.dispose();
    }
    tf.dispose([w, all]);
  });

  it('splits as slices do', async () => {
    const x = tf.tensor3d(values(2 * 5 * 12, 0.4), [2, 5, 12]);
    const parts = tf.split(x, [3, 7, 2], 2);
    const slices = [tf.slice(x, [0, 0, 0], [2, 5, 3]), tf.slice(x, [0, 0, 3], [2, 5, 7]), tf.slice(x, [0, 0, 10], [2, 5, 2])];
    for (let i = 0; i < 3; i++) {
      expect(parts[i].shape).toEqual(slices[i].shape);
      expect(Array.from(await parts[i].data())).toEqual(Array.from(await slices[i].data()));
    }
    const ints = tf.split(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), 3, 0);
    expect(await Promise.all(ints.map((t) => t.array()))).toEqual([[[1, 2]], [[3, 4]], [[5, 6]]]);
    tf.dispose([x, ...parts, ...slices, ...ints]);
  });
});
