// The retrieval contract every stage speaks: @lrat/indexer implements it, the search tool, the server
// and the benchmark consume it.

/** One ranked result. `rank` is 1-based. */
export interface Hit {
  docid: string;
  score: number;
  rank: number;
}

/** The least a retriever must do: rank documents for a query (and, when it can, many queries at once). */
export interface BasicSearcher {
  search(query: string, k: number): Promise<Hit[]>;
  /** Many queries at once (dense searchers embed them in one batch); used for bulk evaluation when present. */
  searchBatch?(queries: readonly string[], k: number): Promise<Hit[][]>;
}

/** Anything that answers text queries with ranked doc ids: what the CLI, the server, the bench and the agents' tool use. */
export interface Searcher extends BasicSearcher {
  readonly kind: 'bm25' | 'dense' | 'hybrid';
  /** Identifies the index version (the manifest checksum; "memory:…" for an unsaved index). */
  readonly version: string;
  searchBatch(queries: readonly string[], k: number): Promise<Hit[][]>;
  /** The ids of the documents it can return (so a server can check them against its corpus). */
  docIds?(): Iterable<string>;
}
