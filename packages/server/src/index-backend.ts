import * as fs from 'fs';
import { documentText, openSearcher, readCorpus, type OpenSearcherOptions, type Searcher } from '@lrat/indexer';
import type { BackendLoader, BackendSource, SearchBackend, SearchHit } from './backend';

export interface IndexBackendOptions {
  /** Builds the query encoder of a dense or hybrid index (the CLI passes @lrat/trainer's loadEncoder). */
  loadEmbedder?: OpenSearcherOptions['loadEmbedder'];
}

/**
 * The real backend: an @lrat/indexer index directory (BM25, dense with its encoder, or hybrid) plus
 * the corpus its doc ids come from. A document's text is `documentText(doc)` — exactly what was
 * indexed (BEIR title and body joined), so snippets show what the retriever saw.
 */
export async function openIndexBackend(source: BackendSource, opts: IndexBackendOptions = {}, corpus?: Map<string, string>): Promise<SearchBackend> {
  const [searcher, docs] = await Promise.all([
    openSearcher(source.index, { loadEmbedder: opts.loadEmbedder }),
    corpus ? Promise.resolve(corpus) : readCorpusMap(source.corpus),
  ]);
  return fromSearcher(searcher, docs);
}

export function fromSearcher(searcher: Searcher, docs: Map<string, string>): SearchBackend {
  return {
    kind: searcher.kind,
    version: searcher.version,
    async search(query: string, k: number): Promise<SearchHit[]> {
      return (await searcher.search(query, k)).map((h) => ({ docid: h.docid, score: h.score }));
    },
    getDocument: (docid) => docs.get(docid),
    documents: () => docs.entries(),
  };
}

export async function readCorpusMap(file: string): Promise<Map<string, string>> {
  const docs = new Map<string, string>();
  for await (const d of readCorpus(file)) docs.set(d.id, documentText(d));
  if (docs.size === 0) throw new Error(`${file}: the corpus holds no documents`);
  return docs;
}

/**
 * A loader for hot swap that re-reads the corpus only when its path, size or mtime changed (a new
 * index over the same corpus is the common case after `lrat train` + `lrat index`).
 */
export function createIndexLoader(opts: IndexBackendOptions = {}): BackendLoader {
  let cached: { key: string; docs: Map<string, string> } | undefined;
  return async (source) => {
    const st = fs.statSync(source.corpus);
    const key = `${fs.realpathSync(source.corpus)}:${st.size}:${st.mtimeMs}`;
    const docs = cached?.key === key ? cached.docs : await readCorpusMap(source.corpus);
    cached = { key, docs };
    return openIndexBackend(source, opts, docs);
  };
}
