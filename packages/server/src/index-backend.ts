import * as fs from 'fs';
import { openSearcher, type OpenSearcherOptions } from '@lrat/indexer';
import type { BackendLoader, BackendSource, SearchBackend, SearchHit } from './backend';
import type { Searcher } from '@lrat/core';
import { documentText, readCorpus } from '@lrat/core';

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
  checkCorpusCoversIndex(searcher, docs, source);
  return fromSearcher(searcher, docs);
}

/**
 * Refuses an index whose documents are not in the corpus: it was built from another corpus, and
 * serving it would return results with empty snippets that get_document cannot open (and log them).
 */
export function checkCorpusCoversIndex(searcher: Searcher, docs: ReadonlyMap<string, string>, source: BackendSource): void {
  if (!searcher.docIds) return;
  let total = 0;
  let missing = 0;
  const examples: string[] = [];
  for (const id of searcher.docIds()) {
    total++;
    if (docs.has(id)) continue;
    missing++;
    if (examples.length < 3) examples.push(JSON.stringify(id));
  }
  if (missing > 0) {
    throw new Error(
      `index ${source.index} holds ${total} documents, ${missing} of which are not in corpus ${source.corpus} (e.g. ${examples.join(', ')}): ` +
        'it was built from another corpus; pass the corpus it was built from, or rebuild it with `lrat index --corpus`',
    );
  }
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
  for await (const d of readCorpus(file)) docs.set(d.docid, documentText(d));
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
