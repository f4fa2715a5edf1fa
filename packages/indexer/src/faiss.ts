// The slice of faiss-node this package relies on. The addon is built by tools/faiss-node/build.sh with
// a patch that accepts Float32Array for add/train/search (search then answers with typed arrays) and
// adds setParam; the stock typings know neither, hence this interface.
export interface FaissIndex {
  ntotal(): number;
  getDimension(): number;
  isTrained(): boolean;
  add(x: Float32Array): void;
  train(x: Float32Array): void;
  search(x: Float32Array, k: number): { distances: Float32Array; labels: Float64Array };
  toBuffer(): Buffer;
  removeIds(ids: number[]): number;
  setParam(name: string, value: number): void;
}

interface FaissModule {
  Index: {
    fromFactory(dims: number, descriptor: string, metric?: number): FaissIndex;
    fromBuffer(buf: Buffer): FaissIndex;
  };
  MetricType: { METRIC_INNER_PRODUCT: number };
}

let faiss: FaissModule | undefined;
export function loadFaiss(): FaissModule {
  if (!faiss) {
    try {
      faiss = require('faiss-node') as FaissModule;
    } catch (err) {
      throw new Error(`faiss-node is not usable (${(err as Error).message}); build it with \`bash tools/faiss-node/build.sh\` (needs libfaiss-dev)`);
    }
    const probe = faiss.Index.fromFactory(1, 'Flat', faiss.MetricType.METRIC_INNER_PRODUCT);
    if (typeof probe.setParam !== 'function') {
      throw new Error('faiss-node was built without the LRAT patch (typed arrays, setParam): run `bash tools/faiss-node/build.sh`');
    }
  }
  return faiss;
}
