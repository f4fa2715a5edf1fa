import { cachingQueryEmbedder } from './query-vector-cache';
import { HashingEmbedder } from './testing/hashing-embedder';
import type { TextEmbedder } from './embedder';

/** A HashingEmbedder that records what each embedQueries call was asked. */
function recording(): { embedder: TextEmbedder; calls: string[][] } {
  const inner = new HashingEmbedder();
  const calls: string[][] = [];
  return {
    calls,
    embedder: {
      id: inner.id,
      version: inner.version,
      dim: inner.dim,
      embedDocuments: (t) => inner.embedDocuments(t),
      embedQueries: (t) => {
        calls.push([...t]);
        return inner.embedQueries(t);
      },
    },
  };
}

describe('cachingQueryEmbedder', () => {
  it('returns the vectors a fresh call returns, encoding each distinct unseen query once', async () => {
    const { embedder, calls } = recording();
    const cached = cachingQueryEmbedder(embedder);
    const first = await cached.embedQueries(['cats', 'dogs', 'cats']);
    const second = await cached.embedQueries(['dogs', 'rain', 'cats']);
    expect(calls).toEqual([['cats', 'dogs'], ['rain']]);
    expect(first).toEqual(await new HashingEmbedder().embedQueries(['cats', 'dogs', 'cats']));
    expect(second).toEqual(await new HashingEmbedder().embedQueries(['dogs', 'rain', 'cats']));
    expect(cached.cacheStats()).toEqual({ hits: 3, misses: 3, entries: 3 });
  });

  it('forgets the least recently used query first', async () => {
    const { embedder, calls } = recording();
    const cached = cachingQueryEmbedder(embedder, 2);
    await cached.embedQueries(['a', 'b']);
    await cached.embedQueries(['a']); // b is now the least recently used
    await cached.embedQueries(['c']); // evicts b
    await cached.embedQueries(['a', 'b']);
    expect(calls).toEqual([['a', 'b'], ['c'], ['b']]);
    expect(cached.cacheStats().entries).toBe(2);
  });

  it('does not cache documents and keeps the identity of the model', async () => {
    const { embedder } = recording();
    const cached = cachingQueryEmbedder(embedder);
    expect([cached.id, cached.version, cached.dim]).toEqual([embedder.id, embedder.version, embedder.dim]);
    expect(await cached.embedDocuments(['x y'])).toEqual(await embedder.embedDocuments(['x y']));
    expect(cached.cacheStats()).toEqual({ hits: 0, misses: 0, entries: 0 });
  });

  it('adds to a shared tally across caches', async () => {
    const tally = { hits: 0, misses: 0 };
    const a = cachingQueryEmbedder(recording().embedder, 10, tally);
    const b = cachingQueryEmbedder(recording().embedder, 10, tally);
    await a.embedQueries(['x', 'y']);
    await b.embedQueries(['x']);
    await a.embedQueries(['x']);
    expect(tally).toEqual({ hits: 1, misses: 3 });
    expect(a.cacheStats()).toMatchObject({ hits: 1, misses: 2 });
  });

  it('rejects an encoder that returns the wrong number of values', async () => {
    const broken: TextEmbedder = { id: 'b', version: '1', dim: 4, embedDocuments: async () => new Float32Array(0), embedQueries: async () => new Float32Array(3) };
    await expect(cachingQueryEmbedder(broken).embedQueries(['q'])).rejects.toThrow(/returned 3 values for 1 queries of dim 4/);
    expect(() => cachingQueryEmbedder(broken, 0)).toThrow(RangeError);
  });
});
