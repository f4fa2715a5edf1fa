import { mulberry32 } from '@lrat/core';

/** Deterministic pseudo-random vectors in [-0.5, 0.5) (mulberry32), so tests and benchmarks reproduce. */
export function randomVectors(n: number, dim: number, seed = 1): Float32Array {
  const next = mulberry32(seed);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < out.length; i++) out[i] = next() - 0.5;
  return out;
}
