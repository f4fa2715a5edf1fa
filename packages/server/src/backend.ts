/** One ranked hit from a backend; rank is the 1-based position in the returned list. */
export interface SearchHit {
  docid: string;
  score: number;
}

/**
 * What the service needs from an index plus its corpus. The real implementation wraps an
 * @lrat/indexer searcher and a corpus file (see index-backend.ts); tests use testing/term-backend.ts.
 */
export interface SearchBackend {
  /** Index kind, for /healthz and logs (e.g. "bm25", "flat"). */
  readonly kind: string;
  /** Identifies the index build; recorded on every search step so a trajectory says what served it. */
  readonly version: string;
  search(query: string, k: number): Promise<SearchHit[]>;
  /** Full text of a document, or undefined when the id is not in the corpus. */
  getDocument(docid: string): string | undefined;
  /** Every (docid, text) of the corpus, when the backend can list them (used to precompute snippets). */
  documents?(): Iterable<[string, string]>;
  /** Releases native resources; called once no request uses this backend any more (after a hot swap). */
  close?(): Promise<void> | void;
}

/** Builds a backend from an index directory and a corpus path: what a reload calls. */
export type BackendLoader = (source: BackendSource) => Promise<SearchBackend>;

export interface BackendSource {
  index: string;
  corpus: string;
}
