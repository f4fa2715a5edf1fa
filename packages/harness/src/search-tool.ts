import type { BasicSearcher } from '@lrat/core';
import type { SearchResult, Step, Trajectory, AgentInfo } from '@lrat/trajectory';
import { SnippetTokenizer, whitespaceSnippetTokenizer } from './text';
import { Doc, documentText } from '@lrat/core';

// The agent-facing search tool with the official semantics (searcher/tools.py): search(query) → top-k
// {docid, score, snippet = first 64 tokens}; get_document(docid) → full text. Any retriever plugs in
// through `BasicSearcher`; @lrat/indexer's indexes satisfy it.

/** Full documents by id. */
export interface DocumentStore {
  get(docid: string): Promise<Doc | undefined>;
}

export function inMemoryDocumentStore(docs: Map<string, Doc> | Iterable<Doc>): DocumentStore {
  const map = docs instanceof Map ? docs : new Map([...docs].map((d) => [d.docid, d] as const));
  return { get: async (docid) => map.get(docid) };
}

export interface ToolSearchHit {
  docid: string;
  score: number;
  rank: number;
  /** The document's first `snippetTokens` tokens. */
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
  readonly k: number;
  /** Names the index behind the tool (recorded in search steps). */
  readonly indexName?: string;
  search(query: string): Promise<ToolSearchHit[]>;
  getDocument(docid: string): Promise<ToolDocument | null>;
}

export interface SearchToolOptions {
  searcher: BasicSearcher;
  documents: DocumentStore;
  /** Results per search (official default 10). */
  k?: number;
  /** Snippet length in tokens (official 64). */
  snippetTokens?: number;
  tokenizer?: SnippetTokenizer;
  indexName?: string;
}

export function createSearchTool(options: SearchToolOptions): SearchTool {
  const k = options.k ?? 10;
  const snippetTokens = options.snippetTokens ?? 64;
  const tokenizer = options.tokenizer ?? whitespaceSnippetTokenizer;
  if (!(k > 0)) throw new Error(`createSearchTool: k must be > 0, got ${k}`);
  return {
    k,
    indexName: options.indexName,
    async search(query) {
      const hits = await options.searcher.search(query, k);
      const out: ToolSearchHit[] = [];
      for (const hit of hits.slice(0, k)) {
        const doc = await options.documents.get(hit.docid);
        // A hit missing from the store is still shown (the index knows it); it has no snippet.
        const snippet = doc ? tokenizer.truncate(documentText(doc), snippetTokens) : '';
        out.push({ docid: hit.docid, score: hit.score, rank: out.length + 1, snippet, title: doc?.title || undefined });
      }
      return out;
    },
    async getDocument(docid) {
      const doc = await options.documents.get(docid);
      return doc ? { docid: doc.docid, title: doc.title ?? '', text: documentText(doc) } : null;
    },
  };
}

/**
 * Wraps a tool for one question: every call becomes a step of the normalised trajectory, so whatever
 * an agent does is mined exactly as it happened. Agents add their reasoning and answer through it too.
 */
export class TrajectoryRecorder implements SearchTool {
  readonly steps: Step[] = [];
  private finalAnswer: string | null = null;
  searchCalls = 0;
  browseCalls = 0;

  constructor(private readonly tool: SearchTool) {}

  get k(): number {
    return this.tool.k;
  }

  get indexName(): string | undefined {
    return this.tool.indexName;
  }

  async search(query: string): Promise<ToolSearchHit[]> {
    this.searchCalls++;
    const hits = await this.tool.search(query);
    const results: SearchResult[] = hits.map((h) => ({ docid: h.docid, rank: h.rank, score: h.score, snippet: h.snippet }));
    this.steps.push({ type: 'search', query, results, ...(this.tool.indexName ? { index: this.tool.indexName } : {}) });
    return hits;
  }

  async getDocument(docid: string): Promise<ToolDocument | null> {
    this.browseCalls++;
    this.steps.push({ type: 'browse', docid, tool: 'get_document' });
    return this.tool.getDocument(docid);
  }

  reason(text: string): void {
    if (text.trim() !== '') this.steps.push({ type: 'reasoning', text });
  }

  answer(text: string): void {
    this.finalAnswer = text;
    this.steps.push({ type: 'answer', text });
  }

  trajectory(fields: { id: string; questionId?: string; question: string; answer?: string | null; agent?: AgentInfo; metadata?: Record<string, unknown> }): Trajectory {
    return {
      id: fields.id,
      questionId: fields.questionId,
      question: fields.question,
      answer: fields.answer ?? null,
      finalAnswer: this.finalAnswer,
      agent: fields.agent,
      metadata: fields.metadata,
      steps: this.steps.slice(),
    };
  }
}
