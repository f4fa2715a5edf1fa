import * as tf from '@tensorflow/tfjs';

// tfjs-backend-wasm 4.22 ships no UnsortedSegmentSum, which gather's gradient needs (any trainable
// embedding table). The sum is memory-bound and small next to the matmuls, so a plain JS loop over
// the wasm heap is enough.
interface WasmBackendLike {
  readSync(dataId: unknown): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: ArrayLike<number>): tf.TensorInfo;
}

export function unsortedSegmentSum(
  x: ArrayLike<number>,
  xShape: number[],
  segmentIds: ArrayLike<number>,
  numSegments: number,
): Float32Array {
  const outer = segmentIds.length;
  const inner = outer === 0 ? 0 : xShape.reduce((a, b) => a * b, 1) / outer;
  const out = new Float32Array(numSegments * inner);
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

/** Registers the JS kernels the wasm backend lacks. Idempotent. */
export function registerWasmKernels(): void {
  if (registered || tf.getKernel('UnsortedSegmentSum', 'wasm')) {
    registered = true;
    return;
  }
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const b = backend as unknown as WasmBackendLike;
      const x = inputs.x as tf.TensorInfo;
      const segmentIds = inputs.segmentIds as tf.TensorInfo;
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const values = unsortedSegmentSum(b.readSync(x.dataId), x.shape, b.readSync(segmentIds.dataId), numSegments);
      const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
      return b.makeOutput(outShape, 'float32', undefined, values);
    },
  });
  registered = true;
}
