import { Bm25Index, DenseIndex, createBm25Searcher, createDenseSearcher, type TextEmbedder } from '@lrat/indexer';
import { applyReasoningWeights } from '@lrat/weighting';
import type { CorpusDoc, Searcher } from '@lrat/harness';
import type { ProgressFn, TrainingSample } from './stack';

// Stack parts that bind directly to the indexer and weighting packages; shared by the real stack
// and the test double so both index and weigh exactly the same way.

const asIndexerDoc = (d: CorpusDoc) => ({ id: d.docid, title: d.title, text: d.text });

/** Exact inner-product (Flat) FAISS index of the corpus under `embedder`. */
export async function flatDenseSearcher(embedder: TextEmbedder, corpus: readonly CorpusDoc[], onProgress?: ProgressFn): Promise<Searcher> {
  const index = await DenseIndex.build(corpus.map(asIndexerDoc), embedder, { factory: 'Flat', onProgress });
  return createDenseSearcher(index, embedder);
}

export async function bm25Searcher(corpus: readonly CorpusDoc[], onProgress?: ProgressFn): Promise<Searcher> {
  const index = Bm25Index.build(corpus.map(asIndexerDoc));
  onProgress?.(corpus.length, corpus.length);
  return createBm25Searcher(index);
}

/** The official weights over all samples of the run, on copies (the mined set stays unweighted). */
export function weighSamples(samples: readonly TrainingSample[]): TrainingSample[] {
  const copy = samples.map((s) => ({ ...s }));
  applyReasoningWeights(copy);
  return copy;
}
