import { Bm25Index, DenseIndex, cachingQueryEmbedder, createBm25Searcher, createDenseSearcher, createHybridSearcher, type TextEmbedder } from '@lrat/indexer';
import { type Question } from '@lrat/agents';
import { evaluateRetrieval } from '@lrat/evaluation';
import type { BasicSearcher as Searcher, Doc as CorpusDoc, Searcher as IndexSearcher } from '@lrat/core';
import type { ProgressFn } from './stack';

// Stack parts that bind directly to the indexer package.

const asIndexerDoc = (d: CorpusDoc) => ({ docid: d.docid, title: d.title, text: d.text });

/** Query vectors remembered per dense searcher: ≈ 100 MB at 512 dimensions. */
const QUERY_CACHE_ENTRIES = 50_000;
/** Every dense searcher's counts added up (the searchers themselves are not kept alive by it). */
const queryTally = { hits: 0, misses: 0 };

/** Queries the studies' dense searchers have encoded, and answered from their query-vector caches, in this process. */
export function queryCacheTotals(): { encoded: number; reused: number } {
  return { encoded: queryTally.misses, reused: queryTally.hits };
}

/**
 * Exact inner-product (Flat) FAISS index of the corpus under `embedder`. The agents' queries are
 * encoded once per searcher (and so once for a dense retriever and its hybrid with BM25).
 */
export async function flatDenseSearcher(embedder: TextEmbedder, corpus: readonly CorpusDoc[], onProgress?: ProgressFn): Promise<Searcher> {
  const index = await DenseIndex.build(corpus.map(asIndexerDoc), embedder, { factory: 'Flat', onProgress });
  return createDenseSearcher(index, cachingQueryEmbedder(embedder, QUERY_CACHE_ENTRIES, queryTally));
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

/**
 * BM25 and a dense searcher fused by @lrat/indexer's hybrid (depth 100 each): a convex combination of
 * min-max-normalised scores with `denseWeight` on the dense side and 1 − denseWeight on BM25, or
 * reciprocal rank (k = 60) when no weight is given.
 */
export function hybridSearcher(bm25: Searcher, dense: Searcher, denseWeight?: number): Searcher {
  return createHybridSearcher(asIndexSearcher(dense, 'dense', 'dense'), asIndexSearcher(bm25, 'bm25', 'bm25'), denseWeight === undefined ? {} : { weights: [denseWeight, 1 - denseWeight] });
}

/** Dense weights the fusion is tuned over: 0 (BM25 alone) to 1 (dense alone) in steps of 0.05. */
export const FUSION_WEIGHT_GRID: readonly number[] = Array.from({ length: 21 }, (_, i) => i / 20);

export interface TunedFusion {
  /** The chosen dense weight (BM25 gets 1 − it). */
  denseWeight: number;
  /** nDCG@10 on the tuning (training) questions at the chosen weight. */
  tuningNdcg: number;
  tuningQuestions: number;
  grid: { denseWeight: number; ndcg: number }[];
}

/** A searcher that answers each (query, depth) once: the grid search re-fuses the same two lists. */
function memoised(s: Searcher): Searcher {
  const seen = new Map<string, Promise<Awaited<ReturnType<Searcher['search']>>>>();
  const one = (q: string, k: number) => {
    const key = `${k}\u0000${q}`;
    let hit = seen.get(key);
    if (!hit) {
      hit = s.search(q, k);
      seen.set(key, hit);
    }
    return hit;
  };
  return {
    search: one,
    searchBatch: async (qs, k) => {
      const missing = [...new Set(qs.filter((q) => !seen.has(`${k}\u0000${q}`)))];
      if (missing.length && s.searchBatch) {
        const lists = s.searchBatch(missing, k);
        missing.forEach((q, i) => seen.set(`${k}\u0000${q}`, lists.then((l) => l[i])));
      }
      return Promise.all(qs.map((q) => one(q, k)));
    },
  };
}

/**
 * The fusion weight a practitioner would deploy: the dense weight of the grid with the best nDCG@10
 * on the TRAINING questions (their qrels), never the held-out ones; ties go to the smaller dense
 * weight. Returns the weight and the grid so the report can show how it was chosen.
 */
export async function tuneFusionWeight(bm25: Searcher, dense: Searcher, trainQuestions: readonly Question[], grid: readonly number[] = FUSION_WEIGHT_GRID): Promise<TunedFusion> {
  if (trainQuestions.length === 0) throw new Error('tuneFusionWeight: no training questions to tune the fusion weight on');
  const b = memoised(bm25);
  const d = memoised(dense);
  const scored: TunedFusion['grid'] = [];
  for (const w of grid) scored.push({ denseWeight: w, ndcg: (await evaluateRetrieval(hybridSearcher(b, d, w), trainQuestions)).ndcgAt10 });
  const best = scored.reduce((a, x) => (x.ndcg > a.ndcg ? x : a));
  return { denseWeight: best.denseWeight, tuningNdcg: best.ndcg, tuningQuestions: trainQuestions.length, grid: scored };
}
