import * as tf from '@tensorflow/tfjs';
import { inferenceProduct } from './native-inference';
import { activeNativeBlas, nativeBatchMatMul } from './native-matmul';
import { batchedMatMulPerEntry, routeLeadingSums, wrapWasmKernel, type WasmBackend } from './wasm-xnn-routes';

// tfjs-backend-wasm 4.22 ships no UnsortedSegmentSum, which gather's gradient needs (any trainable
// embedding table). The sum is memory-bound and small next to the matmuls, so a plain JS loop over
// the wasm heap is enough.

export function unsortedSegmentSum(
  x: ArrayLike<number>,
  xShape: number[],
  segmentIds: ArrayLike<number>,
  numSegments: number,
  into?: Float32Array,
): Float32Array {
  const outer = segmentIds.length;
  const inner = outer === 0 ? 0 : xShape.reduce((a, b) => a * b, 1) / outer;
  const out = into ?? new Float32Array(numSegments * inner);
  for (let i = 0; i < outer; i++) {
    const seg = segmentIds[i];
    // TensorFlow drops rows whose segment id is out of range instead of failing.
    if (seg < 0 || seg >= numSegments) continue;
    const src = i * inner;
    const dst = seg * inner;
    for (let j = 0; j < inner; j++) out[dst + j] += x[src + j];
  }
  return out;
}

let registered = false;

/** rows · one [k, n] matrix as an inference product (see native-inference.ts), or null. */
function inferenceMatMul(backend: WasmBackend, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo | null {
  if (a.shape.length < 2 || b.shape.length < 2 || b.shape.slice(0, -2).some((d) => d !== 1)) return null;
  const [k, n] = b.shape.slice(-2);
  if (a.shape[a.shape.length - 1] !== k) return null;
  const lead = new Array<number>(Math.max(0, b.shape.length - a.shape.length)).fill(1);
  return inferenceProduct(backend, a, b, k, n, [...lead, ...a.shape.slice(0, -1), n]);
}

/**
 * tfjs-backend-wasm 4.22 multiplies with a transposed operand 10–25× slower than without
 * (352×512 · 512×512 on one core: 18 ms plain, 354 ms with transposeA, 139 ms with transposeB),
 * and every matMul gradient asks for one. Materialising the transpose first (6 ms) and calling the
 * plain kernel makes a use-adapter training step several times faster.
 */
function wrapBatchMatMul(): void {
  wrapWasmKernel('BatchMatMul', (orig) => {
    // Untransposed: batched float32 products with equal batch shapes go to XNNPACK entry by entry.
    const plain = (args: Parameters<tf.KernelFunc>[0]) => {
      const a = args.inputs.a as tf.TensorInfo;
      const b = args.inputs.b as tf.TensorInfo;
      const batch = a.shape.slice(0, -2);
      const sameBatch = a.shape.length === b.shape.length && batch.every((d, i) => d === b.shape[i]);
      if (a.shape.length > 2 && sameBatch && batch.reduce((x, y) => x * y, 1) > 1 && a.dtype === 'float32' && b.dtype === 'float32') {
        return batchedMatMulPerEntry(args.backend as unknown as WasmBackend, a, b);
      }
      return orig(args);
    };
    return (args) => {
      const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
      const blas = activeNativeBlas();
      if (blas) {
        const out = nativeBatchMatMul(blas, args.backend as unknown as WasmBackend, args.inputs.a as tf.TensorInfo, args.inputs.b as tf.TensorInfo, transposeA, transposeB);
        if (out) return out;
      }
      if (!transposeA && !transposeB) return inferenceMatMul(args.backend as unknown as WasmBackend, args.inputs.a as tf.TensorInfo, args.inputs.b as tf.TensorInfo) ?? plain(args);
      const transpose = tf.getKernel('Transpose', 'wasm');
      if (!transpose) return orig(args);
      const backend = args.backend as unknown as WasmBackend;
      const flip = (x: tf.TensorInfo) => {
        const perm = x.shape.map((_, i) => i);
        const r = perm.length;
        [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
        return transpose.kernelFunc({ inputs: { x }, attrs: { perm }, backend: args.backend }) as tf.TensorInfo;
      };
      const a = args.inputs.a as tf.TensorInfo;
      const b = args.inputs.b as tf.TensorInfo;
      const at = transposeA ? flip(a) : a;
      const bt = transposeB ? flip(b) : b;
      try {
        return plain({ ...args, inputs: { ...args.inputs, a: at, b: bt }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
      } finally {
        if (at !== a) backend.disposeData(at.dataId);
        if (bt !== b) backend.disposeData(bt.dataId);
      }
    };
  });
}

/**
 * True when transposing `shape` by `perm` moves no data: the axes longer than 1 keep their order
 * (e.g. [30522, 384] by [0, 1], or [1, n] by [1, 0]).
 */
export function isNoOpTranspose(shape: readonly number[], perm: readonly number[]): boolean {
  const moved = perm.filter((axis) => shape[axis] !== 1);
  return moved.every((axis, i) => i === 0 || axis > moved[i - 1]);
}

/**
 * tfjs-backend-wasm 4.22 copies the data of a Transpose that moves nothing (an Identity), where its own
 * Reshape shares it by reference count: tensors are immutable, so a share is safe. Gather's gradient
 * "transposes" the whole embedding-table gradient by [0, 1] — a 47 MB copy of a 30,522 × 384 table,
 * twice a MiniLM step. (The Identity kernel itself still copies: with its outputs shared, an exactly
 * zero gradient in loss.spec came back as 3.6e-41; the cause was not pinned down, so it is left alone.)
 */
function shareNoOpTransposes(): void {
  wrapWasmKernel('Transpose', (transpose) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const perm = (args.attrs as { perm: number[] }).perm;
    if (x.dtype === 'string' || !isNoOpTranspose(x.shape, perm)) return transpose(args);
    (args.backend as unknown as WasmBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: perm.map((axis) => x.shape[axis]), dtype: x.dtype };
  });
}

/**
 * SplitV along any axis as row copies on the wasm heap. tfjs-backend-wasm 4.22 slices each part
 * through a generic strided loop: USE-lite's fused query/key/value projection of 32 passages
 * (32 × 128 × 768 split three ways) took 135 ms, an eighth of the whole forward pass.
 */
function fastSplitV(): void {
  wrapWasmKernel('SplitV', (orig) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number | number[] };
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return orig(args);
    const b = args.backend as unknown as WasmBackend;
    const ax = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, ax);
    const outer = x.shape.slice(0, ax).reduce((p, q) => p * q, 1);
    const inner = x.shape.slice(ax + 1).reduce((p, q) => p * q, 1);
    const outs = sizes.map((s) => b.makeOutput(x.shape.map((d, i) => (i === ax ? s : d)), x.dtype));
    // Views after every makeOutput: each may grow (and so detach) the heap.
    const src = b.typedArrayFromHeap(x) as Float32Array;
    const rowIn = x.shape[ax] * inner;
    let start = 0;
    sizes.forEach((s, j) => {
      const dst = b.typedArrayFromHeap(outs[j]) as Float32Array;
      const rowOut = s * inner;
      for (let r = 0; r < outer; r++) dst.set(src.subarray(r * rowIn + start, r * rowIn + start + rowOut), r * rowOut);
      start += rowOut;
    });
    return outs;
  });
}

/**
 * USE-lite's graph projects its attention inputs with 1×1 convolutions (a fifth of its forward):
 * products of its token rows with a [Cin, Cout] weight, which inference scopes may send to the native
 * BLAS like any dense layer. Other convolutions, and every one outside such a scope, stay on wasm.
 */
function routePointwiseConv2D(): void {
  wrapWasmKernel('Conv2D', (orig) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const filter = args.inputs.filter as tf.TensorInfo;
    const { strides, pad, dilations, dataFormat } = args.attrs as { strides: number | number[]; pad: unknown; dilations?: number | number[]; dataFormat?: string };
    const ones = (v: number | number[] | undefined) => v === undefined || (Array.isArray(v) ? v : [v]).every((d) => d === 1);
    // A 1×1 filter at stride 1 reads exactly its own position: 'valid', 'same' and 0 padding agree.
    const pointwise = x.shape.length === 4 && filter.shape.length === 4 && filter.shape[0] === 1 && filter.shape[1] === 1 && ones(strides) && ones(dilations) && (pad === 'valid' || pad === 'same' || pad === 0) && dataFormat !== 'NCHW';
    if (pointwise) {
      const out = inferenceProduct(args.backend as unknown as WasmBackend, x, filter, filter.shape[2], filter.shape[3], [...x.shape.slice(0, 3), filter.shape[3]]);
      if (out) return out;
    }
    return orig(args);
  });
}

/** Registers the JS kernels the wasm backend lacks and the faster matMul wrapper. Idempotent. */
export function registerWasmKernels(): void {
  if (registered || tf.getKernel('UnsortedSegmentSum', 'wasm')) {
    registered = true;
    return;
  }
  shareNoOpTransposes();
  wrapBatchMatMul();
  routePointwiseConv2D();
  fastSplitV();
  routeLeadingSums();
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const b = backend as unknown as WasmBackend;
      const x = inputs.x as tf.TensorInfo;
      const segmentIds = inputs.segmentIds as tf.TensorInfo;
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
      // Accumulate straight into the output's heap memory: an embedding table's gradient is tens of
      // MB, and building it in a JS array first doubled the time (allocation + copy into the heap).
      // (Inputs are read first: makeOutput may grow the heap, which detaches earlier views of it.)
      const values = b.readSync(x.dataId);
      const ids = b.readSync(segmentIds.dataId);
      const out = b.makeOutput(outShape, 'float32');
      const target = b.typedArrayFromHeap(out) as Float32Array;
      target.fill(0);
      unsortedSegmentSum(values, x.shape, ids, numSegments, target);
      return out;
    },
  });
  registered = true;
}
