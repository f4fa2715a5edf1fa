import type * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm-xnn-routes';

// tfjs-backend-wasm multiplies on one thread through XNNPACK's 128-bit SIMD: ≈ 25–38 GFLOP/s here,
// far less with a transposed operand. The BLAS that @lrat/faiss links (OpenBLAS on Debian) reaches
// ≈ 105 GFLOP/s on one core of this CPU, transposed operands included. When that addon is built, the
// products of a training step run there, on views of the wasm heap (no copy in or out).
//
// Here only training steps: OpenBLAS sums a row of a product in an order that depends on the row's
// position within its kernel's 12-row tile (measured: the same row shifted by 1, 2, 4 or 8 rows came
// out different in its last bits), so a text's vector would depend on the batch it was embedded in.
// Embeddings must not (cached corpus vectors, coalesced searches, reproducible reports); a training
// step's gradients sum over its batch anyway. Inference products reach the BLAS only through
// native-inference.ts, which aligns every text's rows to whole tiles.

/** The two functions of the @lrat/faiss addon used here. */
export interface NativeBlas {
  sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, batch: number, strideA: number, strideB: number, strideC: number): void;
  blasThreads(n: number): boolean;
}

let loaded: NativeBlas | null | undefined;

/**
 * The addon's BLAS, or null when @lrat/faiss is not built (or LRAT_NATIVE_BLAS=0). OpenBLAS is held
 * to one thread: the trainer's parallelism is one wasm thread per worker, and a BLAS pool on top of
 * that oversubscribes the cores.
 */
export function nativeBlas(env: NodeJS.ProcessEnv = process.env): NativeBlas | null {
  if (env.LRAT_NATIVE_BLAS === '0') return null;
  if (loaded !== undefined) return loaded;
  loaded = null;
  try {
    // Required lazily: a missing or unbuilt addon only means the wasm kernels run.
    const faiss = require('@lrat/faiss') as { faissAvailable(): boolean; loadFaiss(): Partial<NativeBlas> };
    if (faiss.faissAvailable()) {
      const addon = faiss.loadFaiss();
      if (typeof addon.sgemm === 'function' && typeof addon.blasThreads === 'function') {
        addon.blasThreads(1);
        loaded = addon as NativeBlas;
      }
    }
  } catch {
    loaded = null;
  }
  return loaded;
}

const product = (dims: readonly number[]) => dims.reduce((x, y) => x * y, 1);

let depth = 0;

/** Runs `fn` (synchronous tfjs work: a training step's forward and backward) with products on the native BLAS. */
export function withNativeBlas<T>(fn: () => T): T {
  depth++;
  try {
    return fn();
  } finally {
    depth--;
  }
}

/** The native BLAS when inside withNativeBlas and available, else null. */
export function activeNativeBlas(): NativeBlas | null {
  return depth > 0 ? nativeBlas() : null;
}

/**
 * a · b (each optionally transposed in its last two axes) on the native BLAS, or null when the
 * operands are not float32 or their batch axes are neither equal nor one side a single matrix (the
 * caller then runs the wasm kernel). Batch axes broadcast as tfjs broadcasts them.
 */
export function nativeBatchMatMul(blas: NativeBlas, backend: WasmBackend, a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): tf.TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [m, k] = transposeA ? [ac, ar] : [ar, ac];
  const [kb, n] = transposeB ? [bc, br] : [br, bc];
  if (k !== kb) return null;
  const rank = Math.max(a.shape.length, b.shape.length) - 2;
  const pad = (s: number[]) => [...new Array<number>(rank - (s.length - 2)).fill(1), ...s.slice(0, -2)];
  const batchA = pad(a.shape);
  const batchB = pad(b.shape);
  const nA = product(batchA);
  const nB = product(batchB);
  if (!batchA.every((d, i) => d === batchB[i]) && nA !== 1 && nB !== 1) return null;
  const outBatch = batchA.map((d, i) => Math.max(d, batchB[i]));
  const out = backend.makeOutput([...outBatch, m, n], 'float32');
  // Views taken after makeOutput, which may grow (and so detach) the heap.
  const [av, bv, cv] = [a, b, out].map((t) => backend.typedArrayFromHeap(t) as Float32Array);
  const batch = product(outBatch);
  if (nB === 1 && !transposeA) {
    // Every batch entry's rows stacked: one [batch·m, k] · op(b) product.
    blas.sgemm(false, transposeB, batch * m, n, k, av, bv, cv, 1, batch * m * k, k * n, batch * m * n);
  } else {
    blas.sgemm(transposeA, transposeB, m, n, k, av, bv, cv, batch, nA === 1 ? 0 : m * k, nB === 1 ? 0 : k * n, m * n);
  }
  return out;
}
