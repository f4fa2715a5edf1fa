import * as tf from '@tensorflow/tfjs';

// tfjs-backend-wasm 4.22 sends a 2-D matMul (batch 1) to XNNPACK (≈ 30 GFLOP/s on one core here)
// but runs every batched matMul through a generic loop (≈ 1.5–2.5 GFLOP/s): attention's
// [B·heads, T, hd] products are then as slow as all the 384-wide dense layers together. Its Sum
// transposes first when reducing leading axes (a bias gradient: 4608 × 1536 → 133 ms, vs 2 ms as a
// product with a row of ones). These routes send both to the XNNPACK path without copying.

/** The parts of tfjs-backend-wasm's BackendWasm the trainer's wasm kernels use (not in its public typings). */
export interface WasmBackend {
  dataIdMap: { get(dataId: unknown): { id: number; memoryOffset: number } | undefined };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: ArrayLike<number>): tf.TensorInfo;
  disposeData(dataId: unknown): void;
  incRef(dataId: unknown): void;
  readSync(dataId: unknown): ArrayLike<number>;
  typedArrayFromHeap(t: tf.TensorInfo): ArrayLike<number>;
  wasm: {
    cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
}

type BatchMatMulFn = (aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number, ta: boolean, tb: boolean, outId: number) => void;
const cwrapped = new WeakMap<object, BatchMatMulFn>();

function batchMatMulFn(backend: WasmBackend): BatchMatMulFn {
  let fn = cwrapped.get(backend.wasm);
  if (!fn) {
    fn = backend.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']) as BatchMatMulFn;
    cwrapped.set(backend.wasm, fn);
  }
  return fn;
}

const shapeBytes = (shape: number[]) => new Uint8Array(new Int32Array(shape).buffer);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * a [..., m, k] · b [..., k, n] with equal batch dimensions (no transposes, float32), as one XNNPACK
 * 2-D product per batch entry on views into the operands' heap memory. Temporary tensor ids make the
 * views visible to the C++ side; disposing them there also drops XNNPACK's packed-weight cache entry
 * for them (the JS side never owned that memory, so nothing is freed).
 */
export function batchedMatMulPerEntry(backend: WasmBackend, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const batch = size(a.shape.slice(0, -2));
  const out = backend.makeOutput([...a.shape.slice(0, -2), m, n], 'float32');
  const offsets = [a, b, out].map((t) => (backend.dataIdMap.get(t.dataId) as { memoryOffset: number }).memoryOffset);
  const fn = batchMatMulFn(backend);
  const aShape = shapeBytes([1, m, k]);
  const bShape = shapeBytes([1, k, n]);
  const per = [m * k, k * n, m * n];
  for (let i = 0; i < batch; i++) {
    const ids = per.map((elems, j) => {
      const id = backend.dataIdNextNumber++;
      backend.wasm.tfjs.registerTensor(id, elems, offsets[j] + i * elems * 4);
      return id;
    });
    try {
      fn(ids[0], aShape, 3, ids[1], bShape, 3, false, false, ids[2]);
    } finally {
      ids.forEach((id) => backend.wasm.tfjs.disposeData(id));
    }
  }
  return out;
}

/** Reduction over the leading `lead` axes of a float32 tensor as ones[1, outer] · x[outer, inner]. */
export function sumLeadingAxes(backend: WasmBackend, x: tf.TensorInfo, lead: number, keepDims: boolean): tf.TensorInfo {
  const outer = size(x.shape.slice(0, lead));
  const innerShape = x.shape.slice(lead);
  const inner = size(innerShape);
  const ones = backend.makeOutput([1, 1, outer], 'float32', undefined, new Float32Array(outer).fill(1));
  const xOffset = (backend.dataIdMap.get(x.dataId) as { memoryOffset: number }).memoryOffset;
  const out = backend.makeOutput([1, 1, inner], 'float32');
  const xId = backend.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(xId, outer * inner, xOffset);
  try {
    const onesId = (backend.dataIdMap.get(ones.dataId) as { id: number }).id;
    const outId = (backend.dataIdMap.get(out.dataId) as { id: number }).id;
    batchMatMulFn(backend)(onesId, shapeBytes([1, 1, outer]), 3, xId, shapeBytes([1, outer, inner]), 3, false, false, outId);
  } finally {
    backend.wasm.tfjs.disposeData(xId);
    backend.disposeData(ones.dataId);
  }
  out.shape = keepDims ? [...x.shape.slice(0, lead).map(() => 1), ...innerShape] : innerShape;
  return out;
}

/** Replaces the wasm kernel `name` by `wrap(its kernel function)`; nothing when the backend lacks it. */
export function wrapWasmKernel(name: string, wrap: (orig: tf.KernelFunc) => tf.KernelFunc): void {
  const orig = tf.getKernel(name, 'wasm');
  if (!orig) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...orig, kernelFunc: wrap(orig.kernelFunc) });
}

/** Wraps the wasm Sum kernel: leading-axis float32 reductions go through sumLeadingAxes. */
export function routeLeadingSums(): void {
  wrapWasmKernel('Sum', (orig) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    // Below a few thousand elements the ones-row costs more than it saves.
    if (!leading || x.dtype !== 'float32' || size(x.shape) < 4096) return orig(args);
    return sumLeadingAxes(args.backend as unknown as WasmBackend, x, axes.length, keepDims);
  });
}
