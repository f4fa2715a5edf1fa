import { documentText, whitespaceSnippeter, type Doc, type SnippetCache, type Snippeter } from '@lrat/core';

// The agent-facing search tool with the official semantics (searcher/tools.py): search(query) → top-k
// {docid, score, snippet = first 64 tokens}; get_document(docid) → full text. The one implementation:
// @lrat/agents' agents call it directly, @lrat/server serves it over MCP and HTTP. Any retriever plugs
// in through `search(query, k)`; @lrat/indexer's indexes satisfy it.

/** Full documents by id (in memory, read from a file on demand, or an index's corpus). */
export interface DocumentStore {
  get(docid: string): Doc | undefined | Promise<Doc | undefined>;
}

export function inMemoryDocumentStore(docs: Map<string, Doc> | Iterable<Doc>): DocumentStore {
  const map = docs instanceof Map ? docs : new Map([...docs].map((d) => [d.docid, d] as const));
  return { get: (docid) => map.get(docid) };
}

/** What the tool needs from a retriever: ranked doc ids (a rank, when given, is ignored: the order is the rank). */
export interface ToolSearcher {
  search(query: string, k: number): Promise<ReadonlyArray<{ docid: string; score: number }>>;
}

export interface ToolSearchHit {
  docid: string;
  score: number;
  /** 1-based position in this result list. */
  rank: number;
  /** The document's first N tokens (empty when the index knows the id but the store does not). */
  snippet: string;
  title?: string;
}

export interface ToolDocument {
  docid: string;
  title: string;
  /** Full text (title, space, body for BEIR docs). */
  text: string;
}

/** The two tools an agent calls. */
export interface SearchTool {
  /** Results per search unless a call asks for another number. */
  readonly k: number;
  /** Names the index behind the tool (recorded in search steps). */
  readonly indexName?: string;
  search(query: string, k?: number): Promise<ToolSearchHit[]>;
  /** The document, or null when the store does not have it. */
  getDocument(docid: string): Promise<ToolDocument | null>;
}

export interface SearchToolOptions {
  searcher: ToolSearcher;
  documents: DocumentStore;
  /** Results per search (official default 10). */
  k?: number;
  /** How snippets are cut (default: the first 64 whitespace tokens); a `SnippetCache` reuses them across searches. */
  snippets?: Snippeter | SnippetCache;
  indexName?: string;
}

export function createSearchTool(options: SearchToolOptions): SearchTool {
  const k = checkK(options.k ?? 10);
  const snippets = options.snippets ?? whitespaceSnippeter(64);
  const snippetOf = 'snippet' in snippets ? (_docid: string, text: string) => snippets.snippet(text) : (docid: string, text: string) => snippets.get(docid, text);
  return {
    k,
    indexName: options.indexName,
    async search(query, kk = k) {
      checkK(kk);
      const hits = await options.searcher.search(query, kk);
      const out: ToolSearchHit[] = [];
      for (const hit of hits.slice(0, kk)) {
        const doc = await options.documents.get(hit.docid);
        // A hit missing from the store is still shown (the index knows it); it has no snippet.
        const snippet = doc ? snippetOf(hit.docid, documentText(doc)) : '';
        out.push({ docid: hit.docid, score: hit.score, rank: out.length + 1, snippet, ...(doc?.title ? { title: doc.title } : {}) });
      }
      return out;
    },
    async getDocument(docid) {
      const doc = await options.documents.get(docid);
      return doc ? { docid: doc.docid, title: doc.title ?? '', text: documentText(doc) } : null;
    },
  };
}

function checkK(k: number): number {
  if (!(k > 0)) throw new Error(`search tool: k must be > 0, got ${k}`);
  return k;
}
