import { inMemoryDocumentStore, type DocumentStore } from '@lrat/trajectory';
import type { BasicSearcher } from '@lrat/core';
import { loadBeirDataset, splitQuestions, type Question } from '../dataset';
import { InMemoryBm25Searcher } from './bm25-searcher';

/** A BEIR folder as an agent test needs it: held-out questions, the documents, a BM25 searcher over them. */
export interface Bm25Fixture {
  questions: Question[];
  documents: DocumentStore;
  bm25: BasicSearcher;
}

/** Loads `dir`, keeps the test split of `splitQuestions(seed, testSize)` and indexes the corpus in memory. */
export async function loadBm25Fixture(dir: string, split: { seed: number; testSize: number }): Promise<Bm25Fixture> {
  const ds = await loadBeirDataset(dir);
  const corpus = await ds.loadCorpus();
  return {
    questions: splitQuestions(ds.questions, split).test,
    documents: inMemoryDocumentStore(corpus),
    bm25: new InMemoryBm25Searcher(corpus.values()),
  };
}
