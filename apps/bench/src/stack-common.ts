import { Bm25Index, DenseIndex, createBm25Searcher, createDenseSearcher, createHybridSearcher, type TextEmbedder } from '@lrat/indexer';
import type { BasicSearcher as Searcher, Doc as CorpusDoc, Searcher as IndexSearcher } from '@lrat/core';
import type { ProgressFn } from './stack';

// Stack parts that bind directly to the indexer package.

const asIndexerDoc = (d: CorpusDoc) => ({ docid: d.docid, title: d.title, text: d.text });

/** Exact inner-product (Flat) FAISS index of the corpus under `embedder`. */
export async function flatDenseSearcher(embedder: TextEmbedder, corpus: readonly CorpusDoc[], onProgress?: ProgressFn): Promise<Searcher> {
  const index = await DenseIndex.build(corpus.map(asIndexerDoc), embedder, { factory: 'Flat', onProgress });
  return createDenseSearcher(index, embedder);
}

export async function bm25Searcher(corpus: readonly CorpusDoc[], onProgress?: ProgressFn): Promise<Searcher> {
  const index = Bm25Index.build(corpus.map(asIndexerDoc));
  onProgress?.(corpus.length, corpus.length);
  return createBm25Searcher(index);
}

/** Any searcher in the indexer's shape (batch search is emulated when a searcher lacks it). */
function asIndexSearcher(s: Searcher, kind: IndexSearcher['kind'], version: string): IndexSearcher {
  if ('kind' in s && 'version' in s && typeof s.searchBatch === 'function') return s as unknown as IndexSearcher;
  return {
    kind,
    version,
    search: (q, k) => s.search(q, k),
    searchBatch: s.searchBatch ? (qs, k) => (s.searchBatch as NonNullable<Searcher['searchBatch']>)(qs, k) : (qs, k) => Promise.all(qs.map((q) => s.search(q, k))),
  };
}

/** BM25 and a dense searcher fused by reciprocal rank (k = 60, depth 100): @lrat/indexer's hybrid. */
export function hybridSearcher(bm25: Searcher, dense: Searcher): Searcher {
  return createHybridSearcher(asIndexSearcher(dense, 'dense', 'dense'), asIndexSearcher(bm25, 'bm25', 'bm25'));
}
