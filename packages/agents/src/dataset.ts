import { promises as fs } from 'fs';
import * as path from 'path';
import { hashString, loadQueries, readCorpus, readQrels, type Doc, type Qrels } from '@lrat/core';

// BEIR folders: corpus.jsonl {_id,title,text}, queries.jsonl {_id,text,answer?,...}, qrels/*.tsv
// (query-id, corpus-id, score; header optional). Any folder in that shape works unchanged.

export interface Question {
  id: string;
  text: string;
  /** Gold answer, when the data set has one (multi-hop QA); absent for pure retrieval sets. */
  answer?: string;
  /** Gold evidence doc ids: the qrels with score > 0. */
  evidence: string[];
  /** Every other field of the query line (type, level, supporting_facts, ...). */
  metadata: Record<string, unknown>;
}

export interface BeirDataset {
  name: string;
  dir: string;
  corpusPath: string;
  /** Every query of queries.jsonl, in file order, with its evidence from the selected qrels. */
  questions: Question[];
  qrels: Qrels;
  /** The qrels files that were read (relative to the folder). */
  qrelsFiles: string[];
  /** Streams the corpus without holding it (for corpora larger than memory). */
  streamCorpus(): AsyncIterable<Doc>;
  /** Loads the corpus into memory once (cached). */
  loadCorpus(): Promise<Map<string, Doc>>;
}

export interface LoadBeirOptions {
  /** qrels file names under qrels/ (e.g. "test.tsv"); default: every *.tsv there, merged. */
  qrels?: string | string[];
  /** Keep only questions that have at least one evidence doc (default false). */
  onlyWithQrels?: boolean;
}

export async function loadBeirDataset(dir: string, options: LoadBeirOptions = {}): Promise<BeirDataset> {
  const root = path.resolve(dir);
  const corpusPath = path.join(root, 'corpus.jsonl');
  const queriesPath = path.join(root, 'queries.jsonl');
  for (const f of [corpusPath, queriesPath]) {
    await fs.access(f).catch(() => {
      throw new Error(`${f}: not found (a BEIR folder needs corpus.jsonl, queries.jsonl and qrels/*.tsv)`);
    });
  }
  const qrelsDir = path.join(root, 'qrels');
  let qrelsFiles: string[];
  if (options.qrels !== undefined) {
    qrelsFiles = (Array.isArray(options.qrels) ? options.qrels : [options.qrels]).map((f) => (f.endsWith('.tsv') ? f : `${f}.tsv`));
  } else {
    const entries = await fs.readdir(qrelsDir).catch(() => [] as string[]);
    qrelsFiles = entries.filter((f) => f.endsWith('.tsv')).sort();
  }
  const qrels: Qrels = new Map();
  for (const f of qrelsFiles) await readQrels(path.join(qrelsDir, f), qrels);
  let questions: Question[] = (await loadQueries(queriesPath)).map((q) => ({
    id: q.id,
    text: q.text,
    answer: q.answer,
    metadata: q.extra ?? {},
    evidence: [...(qrels.get(q.id) ?? new Map<string, number>()).entries()].filter(([, s]) => s > 0).map(([d]) => d),
  }));
  if (options.onlyWithQrels) questions = questions.filter((q) => q.evidence.length > 0);
  let cached: Promise<Map<string, Doc>> | undefined;
  return {
    name: path.basename(root),
    dir: root,
    corpusPath,
    questions,
    qrels,
    qrelsFiles: qrelsFiles.map((f) => path.join('qrels', f)),
    streamCorpus: () => readCorpus(corpusPath),
    loadCorpus: () => {
      cached ??= (async () => {
        const m = new Map<string, Doc>();
        for await (const d of readCorpus(corpusPath)) m.set(d.docid, d);
        return m;
      })();
      return cached;
    },
  };
}

export interface SplitOptions {
  seed: number | string;
  /** Share of questions held out for testing (default 0.5); ignored when testSize is given. */
  testFraction?: number;
  testSize?: number;
}

/**
 * Seeded train/test split. Each question's side depends only on (seed, its id) ranking, so the split
 * does not depend on file order and the same seed always gives the same held-out set.
 */
export function splitQuestions<T extends { id: string }>(questions: readonly T[], options: SplitOptions): { train: T[]; test: T[] } {
  const ids = new Set<string>();
  for (const q of questions) {
    if (ids.has(q.id)) throw new Error(`splitQuestions: duplicate question id "${q.id}"`);
    ids.add(q.id);
  }
  const nTest = options.testSize ?? Math.round(questions.length * (options.testFraction ?? 0.5));
  if (nTest < 0 || nTest > questions.length) throw new Error(`splitQuestions: test size ${nTest} out of range 0..${questions.length}`);
  const ranked = questions
    .map((q) => ({ q, h: hashString(`${options.seed}\u0000${q.id}`) }))
    .sort((a, b) => a.h - b.h || (a.q.id < b.q.id ? -1 : 1));
  const test = new Set(ranked.slice(0, nTest).map((r) => r.q.id));
  return { train: questions.filter((q) => !test.has(q.id)), test: questions.filter((q) => test.has(q.id)) };
}
