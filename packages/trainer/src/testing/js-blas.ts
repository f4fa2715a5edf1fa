import type { NativeBlas } from '../backend/native-matmul';

/**
 * A row-major sgemm in plain JS (no transposes, batch 1), each output summed in k order and then
 * passed through `perturb(row, m, value)`: a stand-in BLAS whose numerics a spec controls, e.g. one
 * whose rows depend on the product's height.
 */
export function jsBlas(perturb: (row: number, m: number, value: number) => number = (_r, _m, v) => v): NativeBlas {
  return {
    blasThreads: () => false,
    sgemm: (_ta, _tb, m, n, k, a, b, c) => {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let q = 0; q < k; q++) s += a[i * k + q] * b[q * n + j];
          c[i * n + j] = perturb(i, m, Math.fround(s));
        }
      }
    },
  };
}
