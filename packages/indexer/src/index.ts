// Public API of @lrat/indexer.
export type { TextEmbedder } from './embedder';
export { cachingQueryEmbedder } from './query-vector-cache';
export type { CachingEmbedder, QueryVectorCacheStats, QueryVectorTally } from './query-vector-cache';
export { EnglishAnalyzer, tokenize } from './analyzer';
export type { AnalyzerOptions } from './analyzer';
export { Bm25Index } from './bm25-index';
export type { Bm25Params, Bm25BuildOptions, Bm25Data } from './bm25-index';
export { DenseIndex, parseFactory, normalizeRows } from './dense-index';
export type { DenseIndexOptions, DenseBuildOptions, DenseData, SearchParams, IndexKind } from './dense-index';
export { reciprocalRankFusion, convexScoreFusion } from './rrf';
export { saveIndex, loadIndex, readManifest, IndexLoadError } from './persistence';
export type { IndexManifest, EncoderRef, FileEntry, HybridParts, LoadedIndex, SaveOptions } from './persistence';
export { openSearcher, createBm25Searcher, createDenseSearcher, createHybridSearcher } from './searcher';
export type { OpenSearcherOptions, HybridOptions, DenseSearcherOptions } from './searcher';
export { parseMetrics, evaluateRun, evaluateQuery, trecEvalName, trecEvalOrder } from './metrics';
export type { MetricName, MetricSpec, EvalOptions, EvalResult } from './metrics';
export { readTrecRun, writeTrecRun, formatTrecRunLines } from './trec';
export type { Run, RunEntry } from './trec';
