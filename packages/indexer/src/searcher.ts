import { Bm25Index } from './bm25-index';
import { DenseIndex } from './dense-index';
import type { TextEmbedder } from './embedder';
import { IndexLoadError, loadIndex, type EncoderRef } from './persistence';
import type { Hit, Searcher } from '@lrat/core';
import { convexScoreFusion, reciprocalRankFusion } from './rrf';

export function createBm25Searcher(index: Bm25Index, version = `memory:bm25:${index.count}`): Searcher {
  return {
    kind: 'bm25',
    version,
    search: async (query, k) => index.search(query, k),
    searchBatch: async (queries, k) => index.searchBatch(queries, k),
    docIds: () => index.data.docIds,
  };
}

export interface DenseSearcherOptions {
  version?: string;
  /** Queries per embedQueries call. */
  batchSize?: number;
}

export function createDenseSearcher(index: DenseIndex, embedder: TextEmbedder, options: DenseSearcherOptions = {}): Searcher {
  if (embedder.dim !== index.dim) throw new Error(`encoder ${embedder.id} produces ${embedder.dim}-d vectors, the index holds ${index.dim}-d`);
  const batch = options.batchSize ?? 64;
  const searchBatch = async (queries: readonly string[], k: number): Promise<Hit[][]> => {
    const out: Hit[][] = [];
    for (let i = 0; i < queries.length; i += batch) {
      const slice = queries.slice(i, i + batch);
      const vectors = await embedder.embedQueries(slice);
      if (vectors.length !== slice.length * index.dim) throw new Error(`encoder ${embedder.id} returned ${vectors.length} values for ${slice.length} queries of dim ${index.dim}`);
      out.push(...index.searchBatch(vectors, k));
    }
    return out;
  };
  return {
    kind: 'dense',
    version: options.version ?? `memory:dense:${embedder.id}@${embedder.version}:${index.count}`,
    search: async (query, k) => (await searchBatch([query], k))[0],
    searchBatch,
    docIds: () => index.docIds(),
  };
}

export interface HybridOptions {
  /** RRF constant; 60 as in Cormack et al. */
  k?: number;
  /** How many results each part contributes before fusion (at least the requested k). */
  depth?: number;
  version?: string;
  /**
   * Weights of (a, b) for a convex combination of min-max-normalised scores instead of RRF (`k` is
   * then unused); e.g. a weight tuned on training questions.
   */
  weights?: readonly [number, number];
}

/** Fusion of two searchers (typically dense and BM25): reciprocal rank, or weighted normalised scores. */
export function createHybridSearcher(a: Searcher, b: Searcher, options: HybridOptions = {}): Searcher {
  const rrfK = options.k ?? 60;
  const depth = options.depth ?? 100;
  const weights = options.weights;
  const fuse = (x: Hit[], y: Hit[], k: number) => (weights ? convexScoreFusion([x, y], weights, k) : reciprocalRankFusion([x, y], k, rrfK));
  return {
    kind: 'hybrid',
    version: options.version ?? `hybrid(${a.version},${b.version})`,
    async search(query, k) {
      const d = Math.max(k, depth);
      const [x, y] = await Promise.all([a.search(query, d), b.search(query, d)]);
      return fuse(x, y, k);
    },
    async searchBatch(queries, k) {
      const d = Math.max(k, depth);
      const [xs, ys] = await Promise.all([a.searchBatch(queries, d), b.searchBatch(queries, d)]);
      return xs.map((x, i) => fuse(x, ys[i], k));
    },
    ...(a.docIds && b.docIds ? { docIds: unionOfDocIds(a.docIds.bind(a), b.docIds.bind(b)) } : {}),
  };
}

const unionOfDocIds = (x: () => Iterable<string>, y: () => Iterable<string>) => (): Iterable<string> => new Set([...x(), ...y()]);

export interface OpenSearcherOptions {
  /** Loads the encoder recorded in a dense (or hybrid) index's manifest; e.g. @lrat/trainer's loadEncoder. */
  loadEmbedder?: (encoder: EncoderRef) => Promise<TextEmbedder>;
  /** Overrides the saved HNSW efSearch / IVF nprobe. */
  searchParams?: { efSearch?: number; nprobe?: number };
}

/** Opens a saved index directory (BM25, dense or hybrid) as a Searcher, verifying it on the way. */
export async function openSearcher(indexDir: string, options: OpenSearcherOptions = {}): Promise<Searcher> {
  const loaded = await loadIndex(indexDir);
  const version = loaded.manifest.checksum;
  if (loaded.kind === 'bm25') return createBm25Searcher(loaded.index, version);
  const dense = loaded.kind === 'dense' ? loaded.index : loaded.dense;
  if (options.searchParams) dense.setSearchParams(options.searchParams);
  const embedder = await embedderFor(indexDir, loaded.manifest.encoder, dense, options);
  const denseSearcher = createDenseSearcher(dense, embedder, { version });
  if (loaded.kind === 'dense') return denseSearcher;
  return createHybridSearcher(denseSearcher, createBm25Searcher(loaded.bm25, version), { k: loaded.rrfK, depth: loaded.depth, version });
}

async function embedderFor(dir: string, ref: EncoderRef | null, index: DenseIndex, options: OpenSearcherOptions): Promise<TextEmbedder> {
  if (!ref || typeof ref.id !== 'string' || typeof ref.version !== 'string' || typeof ref.path !== 'string') {
    throw new IndexLoadError(dir, 'manifest.json: field "encoder" must be {id, version, path} for a dense index');
  }
  if (!options.loadEmbedder) throw new Error(`index ${dir} is dense (encoder ${ref.id}@${ref.version} at ${ref.path}): pass loadEmbedder to encode queries`);
  const embedder = await options.loadEmbedder(ref);
  // Vectors from another model (or other weights) live in a different space: results would be noise.
  if (embedder.id !== ref.id || embedder.version !== ref.version) {
    throw new Error(`index ${dir} was built with encoder ${ref.id}@${ref.version}, but ${ref.path} now loads ${embedder.id}@${embedder.version}; rebuild the index or restore that model`);
  }
  if (embedder.dim !== index.dim) throw new Error(`index ${dir} holds ${index.dim}-d vectors, encoder ${embedder.id} produces ${embedder.dim}-d`);
  return embedder;
}
