import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import {
  Bm25Index,
  DenseIndex,
  parseFactory,
  saveIndex,
  type IndexManifest,
  type TextEmbedder,
} from '@lrat/indexer';
import { loadModelEmbedder } from './encoder-loading';
import { createProgress, documentText, loadCorpus, type Doc } from '@lrat/core';

// `lrat index`: a corpus → a BM25, dense (FAISS) or hybrid index directory with a verified manifest.
export interface IndexArgs {
  corpus: string;
  encoder: string;
  factory: string;
  out: string;
  hybrid: boolean;
  k1: number;
  b: number;
  batchSize: number;
  efSearch?: number;
  nprobe?: number;
  quiet: boolean;
}

export interface IndexDeps {
  /** Loads `--encoder <model dir>`; tests pass a test double. */
  loadEmbedder?: (modelDir: string) => Promise<TextEmbedder & { dispose?(): void }>;
  say?: (line: string) => void;
}

function buildBm25(docs: Doc[], a: IndexArgs): Bm25Index {
  const progress = a.quiet ? undefined : createProgress({ label: 'bm25', total: docs.length });
  const index = Bm25Index.build(docs, { k1: a.k1, b: a.b, onProgress: (done) => progress?.update(done) });
  progress?.stop();
  return index;
}

async function buildDense(docs: Doc[], embedder: TextEmbedder, a: IndexArgs): Promise<DenseIndex> {
  const dim = embedder.dim;
  parseFactory(a.factory, dim); // fail before hours of encoding, not after
  const vectors = new Float32Array(docs.length * dim);
  const encoding = a.quiet ? undefined : createProgress({ label: 'encoding', total: docs.length });
  for (let i = 0; i < docs.length; i += a.batchSize) {
    const batch = docs.slice(i, i + a.batchSize);
    const out = await embedder.embedDocuments(batch.map(documentText));
    if (out.length !== batch.length * dim) throw new Error(`encoder ${embedder.id} returned ${out.length} values for ${batch.length} documents of dim ${dim}`);
    vectors.set(out, i * dim);
    encoding?.tick(batch.length);
  }
  encoding?.stop();
  const index = DenseIndex.create({ dim, factory: a.factory });
  // IVF quantisers are trained on the whole corpus, not on the first chunk added.
  if (!index.isTrained) index.train(vectors);
  const chunk = 10_000;
  const adding = a.quiet ? undefined : createProgress({ label: 'adding', total: docs.length });
  for (let i = 0; i < docs.length; i += chunk) {
    const ids = docs.slice(i, i + chunk).map((d) => d.docid);
    index.add(ids, vectors.subarray(i * dim, (i + ids.length) * dim));
    adding?.tick(ids.length);
  }
  adding?.stop();
  if (a.efSearch !== undefined || a.nprobe !== undefined) index.setSearchParams({ efSearch: a.efSearch, nprobe: a.nprobe });
  return index;
}

export async function runIndex(a: IndexArgs, deps: IndexDeps = {}): Promise<IndexManifest> {
  const say = deps.say ?? ((l: string) => process.stderr.write(`lrat index: ${l}\n`));
  const t0 = Date.now();
  const docs = await loadCorpus(a.corpus);
  if (docs.length === 0) throw new Error(`${a.corpus}: the corpus is empty`);
  const seen = new Set<string>();
  for (const d of docs) {
    if (seen.has(d.docid)) throw new Error(`${a.corpus}: duplicate document id "${d.docid}"`);
    seen.add(d.docid);
  }
  if (!a.quiet) say(`read ${docs.length} documents from ${a.corpus} in ${Date.now() - t0} ms`);
  let manifest: IndexManifest;
  if (a.encoder === 'bm25') {
    if (a.hybrid) throw new Error('--hybrid needs a dense encoder (--encoder <model dir>); it adds BM25 beside it');
    manifest = await saveIndex(a.out, buildBm25(docs, a));
  } else {
    const load = deps.loadEmbedder ?? ((dir: string) => loadModelEmbedder(dir, say));
    const embedder = await load(a.encoder);
    try {
      const encoder = { id: embedder.id, version: embedder.version, path: path.resolve(a.encoder) };
      const dense = await buildDense(docs, embedder, a);
      manifest = a.hybrid ? await saveIndex(a.out, { bm25: buildBm25(docs, a), dense }, { encoder }) : await saveIndex(a.out, dense, { encoder });
    } finally {
      embedder.dispose?.();
    }
  }
  say(`${manifest.kind} index (${manifest.factory}${manifest.dims ? `, ${manifest.dims}-d` : ''}) of ${manifest.count} documents written to ${a.out} in ${((Date.now() - t0) / 1000).toFixed(1)} s; version ${manifest.checksum.slice(0, 12)}`);
  return manifest;
}

export const indexCommand: CommandModule<object, IndexArgs> = {
  command: 'index',
  describe: 'Index a corpus with BM25 or a trained encoder (FAISS), into a verified index directory',
  builder: (y: Argv<object>) =>
    y
      .option('corpus', { type: 'string', demandOption: true, describe: 'Corpus: BEIR JSONL {_id,title,text} (also {docid,text}) or TSV id<TAB>text' })
      .option('encoder', { type: 'string', demandOption: true, describe: '"bm25", or a model directory saved by `lrat train`, or a Hugging Face / sentence-transformers BERT-family folder (dense FAISS index)' })
      .option('factory', { type: 'string', default: 'Flat', describe: 'FAISS factory for dense indexes: Flat, IVF{n},Flat, IVF{n},PQ{m}, HNSW{M},Flat' })
      .option('out', { type: 'string', demandOption: true, describe: 'Index directory (written to a temp dir, renamed into place when complete)' })
      .option('hybrid', { type: 'boolean', default: false, describe: 'Dense encoder only: also build BM25 and search both with reciprocal-rank fusion' })
      .option('k1', { type: 'number', default: 0.9, describe: 'BM25 k1 (Anserini default)' })
      .option('b', { type: 'number', default: 0.4, describe: 'BM25 b (Anserini default)' })
      .option('batch-size', { type: 'number', default: 64, describe: 'Documents per encoder call' })
      .option('ef-search', { type: 'number', describe: 'HNSW efSearch saved with the index' })
      .option('nprobe', { type: 'number', describe: 'IVF nprobe saved with the index' })
      .option('quiet', { type: 'boolean', default: false, describe: 'No progress, only the summary line' })
      .example('$0 index --corpus data/scifact/corpus.jsonl --encoder bm25 --out idx/scifact-bm25', 'BM25 index (Lucene-like analyzer, k1=0.9 b=0.4)')
      .example('$0 index --corpus data/scifact/corpus.jsonl --encoder models/lrat --factory HNSW32,Flat --out idx/scifact-lrat', 'Dense HNSW index with a trained encoder')
      .example('$0 index --corpus corpus.jsonl --encoder models/lrat --hybrid --out idx/hybrid', 'Dense + BM25, fused with RRF at search time')
      .example('$0 index --corpus data/scifact/corpus.jsonl --encoder ~/models/bge-small-en-v1.5 --out idx/scifact-bge', 'Dense index with an untouched sentence-transformers checkpoint') as unknown as Argv<IndexArgs>,
  handler: async (a) => {
    await runIndex(a);
  },
};
