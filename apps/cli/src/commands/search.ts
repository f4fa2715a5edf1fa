import type { Argv, CommandModule } from 'yargs';
import { formatTrecRunLines, openSearcher, type TextEmbedder } from '@lrat/indexer';
import { loadModelEmbedder, type EmbedderLoader } from './encoder-loading';
import { createProgress, loadQueries, readCorpus, type Hit, type Searcher, writeFileAtomic } from '@lrat/core';

// `lrat search`: one query as a table (or JSON), or a query file as a TREC run.
export interface SearchArgs {
  index: string;
  query?: string;
  queries?: string;
  k: number;
  json: boolean;
  run?: string;
  tag: string;
  corpus?: string;
  efSearch?: number;
  nprobe?: number;
  batchSize: number;
  quiet: boolean;
}

export interface SearchDeps {
  loadEmbedder?: EmbedderLoader;
  /** Where results go (stdout by default). */
  write?: (text: string) => void;
  say?: (line: string) => void;
}

export interface SearchOutcome {
  searcher: Searcher;
  /** Single-query mode: the hits. */
  hits?: Hit[];
  /** Batch mode: how many queries were run, and how long searching took. */
  queries?: number;
  seconds?: number;
}

async function titlesFor(corpus: string, ids: Set<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const d of readCorpus(corpus)) {
    if (ids.has(d.docid)) out.set(d.docid, d.title ? `${d.title} — ${d.text}` : d.text);
    if (out.size === ids.size) break;
  }
  return out;
}

function clip(s: string, width: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length <= width ? one : `${one.slice(0, width - 1)}…`;
}

/** The pretty result table: rank, score, doc id, and the document's start when the corpus is known. */
export function formatHitsTable(hits: readonly Hit[], texts?: Map<string, string>, width = 100): string {
  if (hits.length === 0) return '(no results)\n';
  const idW = Math.max(5, ...hits.map((h) => h.docid.length));
  const rankW = Math.max(4, String(hits.length).length);
  const scores = hits.map((h) => h.score.toFixed(4));
  const scoreW = Math.max(5, ...scores.map((s) => s.length));
  const textW = Math.max(20, width - idW - rankW - scoreW - 6);
  const header = `${'rank'.padStart(rankW)}  ${'score'.padStart(scoreW)}  ${'docid'.padEnd(idW)}${texts ? `  text` : ''}`;
  const lines = hits.map((h, i) => {
    const base = `${String(h.rank).padStart(rankW)}  ${scores[i].padStart(scoreW)}  ${h.docid.padEnd(idW)}`;
    return texts ? `${base}  ${clip(texts.get(h.docid) ?? '', textW)}` : base.trimEnd();
  });
  return `${[header, '-'.repeat(Math.min(width, header.length + (texts ? textW : 0))), ...lines].join('\n')}\n`;
}

export async function runSearch(a: SearchArgs, deps: SearchDeps = {}): Promise<SearchOutcome> {
  const write = deps.write ?? ((t: string) => process.stdout.write(t));
  const say = deps.say ?? ((l: string) => process.stderr.write(`lrat search: ${l}\n`));
  if ((a.query === undefined) === (a.queries === undefined)) throw new Error('give exactly one of --query "text" or --queries <file>');
  if (!Number.isInteger(a.k) || a.k < 1) throw new Error(`-k must be a positive integer, got ${a.k}`);
  if (a.queries !== undefined && !a.run && !a.json) throw new Error('batch mode (--queries) needs --run <file.trec> and/or --json (JSON lines on stdout)');
  let embedder: (TextEmbedder & { dispose?(): void }) | undefined;
  const loadEmbedder: EmbedderLoader =
    deps.loadEmbedder ??
    (async (ref) => {
      embedder = await loadModelEmbedder(ref.path, say);
      return embedder;
    });
  const searchParams = a.efSearch !== undefined || a.nprobe !== undefined ? { efSearch: a.efSearch, nprobe: a.nprobe } : undefined;
  const searcher = await openSearcher(a.index, { loadEmbedder, searchParams });
  try {
    if (a.query !== undefined) {
      const hits = await searcher.search(a.query, a.k);
      if (a.json) {
        write(`${JSON.stringify({ query: a.query, k: a.k, index: { path: a.index, kind: searcher.kind, version: searcher.version }, hits })}\n`);
      } else {
        const texts = a.corpus ? await titlesFor(a.corpus, new Set(hits.map((h) => h.docid))) : undefined;
        write(formatHitsTable(hits, texts, Math.min(140, process.stdout.columns || 110)));
      }
      return { searcher, hits };
    }
    const queries = await loadQueries(a.queries ?? '');
    const progress = a.quiet ? undefined : createProgress({ label: 'searching', total: queries.length });
    const runLines: string[] = [];
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < queries.length; i += a.batchSize) {
      const batch = queries.slice(i, i + a.batchSize);
      const results = await searcher.searchBatch(batch.map((q) => q.text), a.k);
      batch.forEach((q, j) => {
        if (a.run) runLines.push(...formatTrecRunLines(q.id, results[j], a.tag));
        if (a.json) write(`${JSON.stringify({ qid: q.id, query: q.text, hits: results[j] })}\n`);
      });
      progress?.tick(batch.length);
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    progress?.stop();
    if (a.run) await writeFileAtomic(a.run, runLines.length ? `${runLines.join('\n')}\n` : '');
    say(
      `${queries.length} queries, k=${a.k}, ${searcher.kind} index ${searcher.version.slice(0, 12)}: ${seconds.toFixed(2)} s ` +
        `(${(queries.length / Math.max(seconds, 1e-9)).toFixed(0)} queries/s)${a.run ? `; run written to ${a.run} (tag ${a.tag})` : ''}`,
    );
    return { searcher, queries: queries.length, seconds };
  } finally {
    embedder?.dispose?.();
  }
}

export const searchCommand: CommandModule<object, SearchArgs> = {
  command: 'search',
  describe: 'Search an index: one query as a table or JSON, or a query file into a TREC run',
  builder: (y: Argv<object>) =>
    y
      .option('index', { type: 'string', demandOption: true, describe: 'Index directory written by `lrat index`' })
      .option('query', { alias: 'q', type: 'string', describe: 'One query' })
      .option('queries', { type: 'string', describe: 'Batch mode: queries JSONL {_id,text} (BEIR) or TSV id<TAB>text' })
      .option('k', { alias: 'n', type: 'number', default: 10, describe: 'Results per query' })
      .option('json', { type: 'boolean', default: false, describe: 'JSON on stdout (batch mode: one line per query)' })
      .option('run', { type: 'string', describe: 'Batch mode: write a 6-column TREC run file (atomically)' })
      .option('tag', { type: 'string', default: 'lrat', describe: 'Run tag (last column of the run file)' })
      .option('corpus', { type: 'string', describe: 'Corpus file, to show each hit\'s title and text in the table' })
      .option('ef-search', { type: 'number', describe: 'HNSW efSearch for this search (overrides the saved value)' })
      .option('nprobe', { type: 'number', describe: 'IVF nprobe for this search (overrides the saved value)' })
      .option('batch-size', { type: 'number', default: 256, describe: 'Batch mode: queries per searchBatch call' })
      .option('quiet', { type: 'boolean', default: false, describe: 'No progress or summary on stderr' })
      .example('$0 search --index idx/scifact-bm25 --query "vitamin D and bone density" -k 5 --corpus data/scifact/corpus.jsonl', 'A table of the top 5 with their text')
      .example('$0 search --index idx/scifact-bm25 --queries data/scifact/queries.jsonl -k 100 --run runs/bm25.trec --tag bm25', 'Batch mode: a TREC run for `lrat eval`') as unknown as Argv<SearchArgs>,
  handler: async (a) => {
    await runSearch(a);
  },
};
