import type { TextEmbedder } from './embedder';

// Agents ask the same queries again and again: the question itself opens most episodes, an agent
// repeats a query after a fruitless browse, and two retrievers over one encoder (dense and its hybrid
// with BM25) see the same questions. Encoding a query is the dominant cost of a dense search on CPU,
// so a searcher remembers the vectors of recent queries. A cached vector is the one a fresh call would
// return when the embedder's vector of a text does not depend on the batch it was embedded in, as the
// trainer's encoders guarantee (on the wasm backend without the native BLAS, USE-lite's graph model
// still pads a batch, so there a text's last bits can move with its batch's longest text).

export interface QueryVectorCacheStats {
  hits: number;
  misses: number;
  entries: number;
}

/** Counts that several caches may add to (e.g. every dense searcher of a run). */
export interface QueryVectorTally {
  hits: number;
  misses: number;
}

export interface CachingEmbedder extends TextEmbedder {
  /** Queries answered from the cache and encoded so far. */
  cacheStats(): QueryVectorCacheStats;
}

/**
 * `embedder` with its query vectors remembered (least recently used first out, at most `maxEntries`).
 * Each call encodes only the distinct queries it has not seen, in one embedQueries call; documents
 * pass straight through. `tally`, when given, is added to as well.
 */
export function cachingQueryEmbedder(embedder: TextEmbedder, maxEntries = 20_000, tally?: QueryVectorTally): CachingEmbedder {
  if (!(Number.isInteger(maxEntries) && maxEntries >= 1)) throw new RangeError(`cachingQueryEmbedder: maxEntries must be a positive integer, got ${maxEntries}`);
  const dim = embedder.dim;
  // A Map iterates in insertion order: re-inserting on a hit keeps the least recently used first.
  const vectors = new Map<string, Float32Array>();
  let hits = 0;
  let misses = 0;

  const remember = (text: string, v: Float32Array) => {
    vectors.delete(text);
    vectors.set(text, v);
    if (vectors.size > maxEntries) vectors.delete(vectors.keys().next().value as string);
  };

  return {
    id: embedder.id,
    version: embedder.version,
    dim,
    embedDocuments: (texts) => embedder.embedDocuments(texts),
    async embedQueries(texts: string[]): Promise<Float32Array> {
      const out = new Float32Array(texts.length * dim);
      const found = new Map<string, Float32Array>();
      const unseen = new Set<string>();
      for (const t of texts) {
        const v = vectors.get(t);
        if (v) found.set(t, v);
        else unseen.add(t);
      }
      const missing = [...unseen];
      if (missing.length) {
        const fresh = await embedder.embedQueries(missing);
        if (fresh.length !== missing.length * dim) throw new Error(`encoder ${embedder.id} returned ${fresh.length} values for ${missing.length} queries of dim ${dim}`);
        missing.forEach((t, i) => found.set(t, fresh.slice(i * dim, (i + 1) * dim)));
      }
      texts.forEach((t, i) => {
        const v = found.get(t) as Float32Array;
        out.set(v, i * dim);
        remember(t, v);
      });
      misses += missing.length;
      hits += texts.length - missing.length;
      if (tally) {
        tally.misses += missing.length;
        tally.hits += texts.length - missing.length;
      }
      return out;
    },
    cacheStats: () => ({ hits, misses, entries: vectors.size }),
  };
}
