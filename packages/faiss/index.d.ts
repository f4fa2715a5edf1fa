/** A FAISS index (the methods the LRAT indexer uses). Vectors are row-major Float32Array. */
export interface FaissIndex {
  ntotal(): number;
  getDimension(): number;
  isTrained(): boolean;
  add(x: Float32Array): void;
  train(x: Float32Array): void;
  /** nq = x.length / dim queries; nq × k results, row-major; label -1 where fewer than k exist. */
  search(x: Float32Array, k: number): { distances: Float32Array; labels: Float64Array };
  toBuffer(): Buffer;
  removeIds(ids: number[]): number;
  /** Query-time parameter through faiss::ParameterSpace, e.g. efSearch (HNSW), nprobe (IVF). */
  setParam(name: string, value: number): void;
}

export interface FaissModule {
  Index: {
    fromFactory(dims: number, description: string, metric?: number): FaissIndex;
    fromBuffer(buf: Buffer): FaissIndex;
  };
  MetricType: { METRIC_INNER_PRODUCT: number; METRIC_L2: number };
  /**
   * For each of `batch` entries i: c[i] = op(a[i]) · op(b[i]), row-major, op(x) = xᵀ when its flag is
   * set, m × k by k × n; a stride of 0 reuses one matrix for every entry. Runs on the BLAS libfaiss is
   * linked with (OpenBLAS on Debian). Throws on arrays too short for the shapes and strides.
   */
  sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, batch: number, strideA: number, strideB: number, strideC: number): void;
  /** OpenBLAS's thread count for later calls; false when the BLAS is not OpenBLAS (nothing set). */
  blasThreads(n: number): boolean;
}

/** The addon; throws an error naming the apt packages when it is not built. */
export function loadFaiss(): FaissModule;
export function faissAvailable(): boolean;
