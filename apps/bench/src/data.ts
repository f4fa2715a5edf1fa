import * as path from 'path';
import { loadBeirDataset, splitQuestions, type Question } from '@lrat/agents';
import { type DatasetProvenance } from '@lrat/report';
import { inMemoryDocumentStore, type DocumentStore } from '@lrat/trajectory';
import type { Doc } from '@lrat/core';

// Loading a BEIR folder for a job: questions split by a fixed seed, optional caps for smoke runs.

export interface JobData {
  name: string;
  dir: string;
  /** The dataset's whole corpus file (before any --corpus-limit cap): what mining reads its texts from. */
  corpusFile: string;
  corpus: Doc[];
  corpusById: Map<string, Doc>;
  documents: DocumentStore;
  train: Question[];
  test: Question[];
  /** Whether questions carry gold answers (success is measurable). */
  hasAnswers: boolean;
  provenance: DatasetProvenance;
}

export interface LoadJobDataOptions {
  seed: number;
  /** Held-out share; 1 = every question is a test question (out-of-domain sets). */
  testFraction: number;
  limit?: number;
  corpusLimit?: number;
  /** qrels file(s) under qrels/ (default: all merged). */
  qrels?: string | string[];
}

/**
 * Keeps every gold evidence doc of the selected questions plus the first `limit` other docs in file
 * order, so a capped corpus still contains the answers (smoke runs only; reports say so).
 */
export function capCorpus(corpus: readonly Doc[], questions: readonly Question[], limit: number | undefined): Doc[] {
  if (limit === undefined || limit >= corpus.length) return [...corpus];
  const gold = new Set(questions.flatMap((q) => q.evidence));
  let others = 0;
  return corpus.filter((d) => gold.has(d.docid) || others++ < limit);
}

export async function loadJobData(dir: string, options: LoadJobDataOptions): Promise<JobData> {
  const dataset = await loadBeirDataset(dir, { qrels: options.qrels, onlyWithQrels: true });
  const split =
    options.testFraction >= 1
      ? { train: [] as Question[], test: [...dataset.questions] }
      : splitQuestions(dataset.questions, { seed: options.seed, testFraction: options.testFraction });
  const cap = <T>(xs: T[]) => (options.limit === undefined ? xs : xs.slice(0, options.limit));
  const train = cap(split.train);
  const test = cap(split.test);
  const full = [...(await dataset.loadCorpus()).values()];
  const corpus = capCorpus(full, [...train, ...test], options.corpusLimit);
  const corpusById = new Map(corpus.map((d) => [d.docid, d] as const));
  return {
    name: dataset.name || path.basename(dir),
    dir,
    corpusFile: dataset.corpusPath,
    corpus,
    corpusById,
    documents: inMemoryDocumentStore(corpusById),
    train,
    test,
    hasAnswers: [...train, ...test].some((q) => q.answer !== undefined),
    provenance: {
      name: dataset.name || path.basename(dir),
      dir: path.relative(process.cwd(), dir) || '.',
      corpusDocs: corpus.length,
      questions: dataset.questions.length,
      trainQuestions: train.length,
      testQuestions: test.length,
      splitSeed: options.seed,
    },
  };
}
