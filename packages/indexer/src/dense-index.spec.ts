import { DenseIndex, normalizeRows, parseFactory } from './dense-index';
import { randomVectors } from './testing/random-vectors';

const dim = 16;
const n = 400;
const ids = Array.from({ length: n }, (_, i) => `doc-${i}`);
const vectors = randomVectors(n, dim);
const row = (v: Float32Array, i: number) => v.subarray(i * dim, (i + 1) * dim);

describe('DenseIndex', () => {
  it('parses the supported factory strings and rejects others', () => {
    expect(parseFactory('flat', 8)).toEqual({ kind: 'flat', factory: 'Flat' });
    expect(parseFactory('HNSW32', 8)).toEqual({ kind: 'hnsw', factory: 'HNSW32,Flat', m: 32 });
    expect(parseFactory('IVF16,PQ4', 8)).toEqual({ kind: 'ivf-pq', factory: 'IVF16,PQ4', nlist: 16, m: 4, nbits: 8 });
    expect(parseFactory('IVF16,PQ4x4', 8).factory).toBe('IVF16,PQ4x4');
    expect(() => parseFactory('IVF16,PQ3', 8)).toThrow(/multiple of 3/);
    expect(() => parseFactory('LSH', 8)).toThrow(/unsupported FAISS factory "LSH"/);
  });

  // 4-bit PQ keeps k-means small: 8-bit codebooks take libfaiss ~15 s to train here (python-faiss too).
  it.each(['Flat', 'HNSW16,Flat', 'IVF8,Flat', 'IVF4,PQ4x4'])('%s finds each vector itself, with cosine scores', (factory) => {
    const index = DenseIndex.fromVectors(ids, vectors, { dim, factory });
    if (factory.startsWith('IVF')) index.setSearchParams({ nprobe: 8 });
    if (factory.startsWith('HNSW')) index.setSearchParams({ efSearch: 64 });
    const queries = vectors.subarray(0, 20 * dim);
    const res = index.searchBatch(queries, 5);
    expect(res).toHaveLength(20);
    let self = 0;
    res.forEach((hits, i) => {
      expect(hits).toHaveLength(5);
      expect(hits.map((h) => h.rank)).toEqual([1, 2, 3, 4, 5]);
      if (hits[0].docid === ids[i]) self++;
    });
    // PQ is lossy; exact and graph/IVF-flat search must return the query itself first.
    expect(self).toBeGreaterThanOrEqual(factory.includes('PQ') ? 14 : 20);
    if (!factory.includes('PQ')) expect(res[0][0].score).toBeCloseTo(1, 5);
  });

  it('normalises: scores are cosines whatever the vector norms', () => {
    const index = DenseIndex.fromVectors(['x', 'y'], new Float32Array([3, 0, 0, 0.5]), { dim: 2 });
    const [hit] = index.search(new Float32Array([10, 10]), 1);
    expect(hit.score).toBeCloseTo(Math.SQRT1_2, 5);
    // dim 5: the unrolled norm check must count the fifth component ([1,0,0,0,1] has norm² 2).
    const odd = DenseIndex.fromVectors(['u', 'v'], new Float32Array([1, 0, 0, 0, 1, 0, 0.6, 0, 0.8, 0]), { dim: 5 });
    expect(odd.search(new Float32Array([1, 0, 0, 0, 1]), 1)[0].score).toBeCloseTo(1, 5);
    const nr = normalizeRows(new Float32Array([3, 4, 0, 0]), 2);
    expect(Array.from(nr)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0]);
  });

  it("leaves the caller's vectors untouched and rolls back a failed add", () => {
    const v = new Float32Array([3, 4, 0, 2]);
    const index = DenseIndex.create({ dim: 2 });
    index.add(['a', 'b'], v);
    expect(Array.from(v)).toEqual([3, 4, 0, 2]);
    expect(() => index.add(['c', 'a'], v)).toThrow(/"a" is already in the index/);
    expect(() => index.add(['d'], new Float32Array([NaN, 1]))).toThrow(/non-finite/);
    expect(index.has('c') || index.has('d')).toBe(false);
    expect(index.count).toBe(2);
    expect(index.search(new Float32Array([0, 1]), 2).map((h) => h.docid)).toEqual(['b', 'a']);
  });

  it('clamps k to the number of documents instead of throwing', () => {
    const index = DenseIndex.fromVectors(ids.slice(0, 3), vectors.subarray(0, 3 * dim), { dim });
    expect(index.search(row(vectors, 0), 10)).toHaveLength(3);
    expect(DenseIndex.create({ dim }).search(row(vectors, 0), 10)).toEqual([]);
  });

  it.each(['Flat', 'HNSW16,Flat', 'IVF8,Flat'])('%s: the id map survives remove + add', (factory) => {
    const index = DenseIndex.fromVectors(ids, vectors, { dim, factory });
    if (factory.startsWith('IVF')) index.setSearchParams({ nprobe: 8 });
    expect(index.remove(['doc-3', 'doc-7', 'unknown'])).toBe(2);
    expect(index.count).toBe(n - 2);
    expect(index.search(row(vectors, 3), 5).map((h) => h.docid)).not.toContain('doc-3');
    // A vector past the removed ones keeps its id (Flat renumbers internally).
    expect(index.search(row(vectors, 250), 1)[0].docid).toBe('doc-250');
    const fresh = randomVectors(2, dim, 99);
    index.add(['new-a', 'doc-3'], fresh);
    expect(index.count).toBe(n);
    expect(index.search(row(fresh, 0), 1)[0].docid).toBe('new-a');
    expect(index.search(row(fresh, 1), 1)[0].docid).toBe('doc-3');
    expect(index.search(row(vectors, 399), 1)[0].docid).toBe('doc-399');
    // With k = count every live doc is returned exactly once, never a removed one.
    const all = index.search(row(vectors, 0), n).map((h) => h.docid);
    expect(new Set(all).size).toBe(all.length);
    expect(all).not.toContain('doc-7');
    expect(() => index.add(['doc-5'], row(vectors, 5))).toThrow(/"doc-5" is already in the index/);
  });

  it('validates inputs and search parameters', () => {
    const index = DenseIndex.create({ dim, factory: 'Flat' });
    expect(() => index.add(['a'], new Float32Array(dim + 1))).toThrow(/need 16 values/);
    expect(() => index.setSearchParams({ efSearch: 10 })).toThrow(/efSearch applies to HNSW/);
    expect(() => DenseIndex.fromVectors(ids.slice(0, 5), vectors.subarray(0, 5 * dim), { dim, factory: 'IVF8,Flat' })).toThrow(/at least 8 training vectors/);
  });
});
