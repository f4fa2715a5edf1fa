import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// faiss-node as tools/faiss-node/build.sh builds it: the system libfaiss behind the N-API addon,
// with the typed-array fast path this workspace patches in.
const faiss = require('faiss-node');

describe('faiss-node (built against the system libfaiss)', () => {
  const dims = 8;
  const n = 200;
  const vectors = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) vectors[i * dims + j] = Math.sin(i * 7 + j * 3);

  it('adds and searches from number[] and Float32Array alike', () => {
    const a = new faiss.IndexFlatIP(dims);
    a.add(Array.from(vectors));
    const b = new faiss.IndexFlatIP(dims);
    b.add(vectors);
    expect(b.ntotal()).toBe(n);
    const q = vectors.slice(17 * dims, 18 * dims);
    const ra = a.search(Array.from(q), 5);
    const rb = b.search(q, 5);
    expect(Array.from(rb.labels)).toEqual(ra.labels);
    // Jest runs tests in another realm, so compare the tag rather than the constructor.
    expect(Object.prototype.toString.call(rb.labels)).toBe('[object Float64Array]');
    expect(rb.distances[0]).toBeCloseTo(ra.distances[0], 5);
  });

  it('round-trips through write/read and toBuffer/fromBuffer', () => {
    const index = faiss.Index.fromFactory(dims, 'HNSW16,Flat', faiss.MetricType.METRIC_INNER_PRODUCT);
    index.add(vectors);
    index.setParam('efSearch', 64);
    const q = vectors.slice(3 * dims, 4 * dims);
    const before = index.search(q, 3);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faiss-smoke-'));
    const file = path.join(dir, 'index.faiss');
    index.write(file);
    const read = faiss.Index.read(file);
    expect(read.ntotal()).toBe(n);
    expect(Array.from(read.search(q, 3).labels)).toEqual(Array.from(before.labels));
    const copy = faiss.Index.fromBuffer(index.toBuffer());
    expect(Array.from(copy.search(q, 3).labels)).toEqual(Array.from(before.labels));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a typed array whose length is not a multiple of the dimension', () => {
    const index = new faiss.IndexFlatIP(dims);
    expect(() => index.add(new Float32Array(dims + 1))).toThrow(/length/);
    expect(() => index.setParam('noSuchParameter', 1)).toThrow();
  });
});
