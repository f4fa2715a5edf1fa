// @lrat/faiss: the system libfaiss behind this workspace's N-API addon (typed arrays in and out).
const { loadFaiss } = require('..');

describe('@lrat/faiss (built against the system libfaiss)', () => {
  const faiss = loadFaiss();
  const dims = 8;
  const n = 200;
  const vectors = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) vectors[i * dims + j] = Math.sin(i * 7 + j * 3);

  // exact inner-product top-k, the reference for the Flat index
  function bruteForce(q: Float32Array, k: number): number[] {
    const scores = Array.from({ length: n }, (_, i) => {
      let s = 0;
      for (let j = 0; j < dims; j++) s += vectors[i * dims + j] * q[j];
      return [s, i] as const;
    });
    return scores.sort((a, b) => b[0] - a[0]).slice(0, k).map(([, i]) => i);
  }

  it('a Flat inner-product index returns the exact top-k, for several queries at once', () => {
    const index = faiss.Index.fromFactory(dims, 'Flat', faiss.MetricType.METRIC_INNER_PRODUCT);
    index.add(vectors);
    expect(index.ntotal()).toBe(n);
    expect(index.getDimension()).toBe(dims);
    const queries = vectors.slice(17 * dims, 19 * dims);
    const r = index.search(queries, 5);
    // Jest runs tests in another realm, so compare the tag rather than the constructor.
    expect(Object.prototype.toString.call(r.labels)).toBe('[object Float64Array]');
    expect(Array.from(r.labels.subarray(0, 5))).toEqual(bruteForce(queries.subarray(0, dims), 5));
    expect(Array.from(r.labels.subarray(5, 10))).toEqual(bruteForce(queries.subarray(dims), 5));
  });

  it('round-trips through toBuffer/fromBuffer, sets HNSW efSearch, removes ids', () => {
    const index = faiss.Index.fromFactory(dims, 'HNSW16,Flat', faiss.MetricType.METRIC_INNER_PRODUCT);
    index.add(vectors);
    index.setParam('efSearch', 64);
    const q = vectors.slice(3 * dims, 4 * dims);
    const before = index.search(q, 3);
    const copy = faiss.Index.fromBuffer(index.toBuffer());
    expect(copy.ntotal()).toBe(n);
    expect(Array.from(copy.search(q, 3).labels)).toEqual(Array.from(before.labels));
    const flat = faiss.Index.fromFactory(dims, 'IDMap,Flat', faiss.MetricType.METRIC_INNER_PRODUCT);
    expect(() => flat.add(vectors)).toThrow(/add_with_ids/);
    const plain = faiss.Index.fromFactory(dims, 'Flat', faiss.MetricType.METRIC_INNER_PRODUCT);
    plain.add(vectors);
    expect(plain.removeIds([0, 1])).toBe(2);
    expect(plain.ntotal()).toBe(n - 2);
  });

  it('refuses bad input with errors, not crashes', () => {
    const index = faiss.Index.fromFactory(dims, 'Flat', faiss.MetricType.METRIC_INNER_PRODUCT);
    expect(() => index.add(new Float32Array(dims + 1))).toThrow(/not a multiple of the dimension 8/);
    expect(() => index.add([1, 2] as unknown as Float32Array)).toThrow(/Float32Array/);
    expect(() => index.setParam('noSuchParameter', 1)).toThrow(/setParam/);
    expect(() => faiss.Index.fromFactory(dims, 'NoSuchIndex', 0)).toThrow(/index_factory\("NoSuchIndex"\)/);
    expect(() => faiss.Index.fromBuffer(Buffer.from('not an index'))).toThrow(/read_index/);
  });
});
