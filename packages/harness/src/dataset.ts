import { createReadStream, promises as fs } from 'fs';
import * as path from 'path';
import { createInterface } from 'readline';
import { hashString, type Doc } from '@lrat/core';

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

/** query id → (doc id → graded relevance). */
export type Qrels = Map<string, Map<string, number>>;

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

export class DatasetError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    message: string,
  ) {
    super(`${file}:${line}: field "${field}": ${message}`);
    this.name = 'DatasetError';
  }
}

async function* jsonLines(file: string): AsyncGenerator<{ value: Record<string, unknown>; line: number }> {
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const raw of rl) {
    line++;
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new DatasetError(file, line, '(line)', `invalid JSON: ${(e as Error).message}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new DatasetError(file, line, '(line)', 'expected a JSON object');
    }
    yield { value: value as Record<string, unknown>, line };
  }
}

function idField(obj: Record<string, unknown>, file: string, line: number, names: string[]): string {
  for (const name of names) {
    const v = obj[name];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  throw new DatasetError(file, line, names[0], 'missing or not a string/number id');
}

function stringField(obj: Record<string, unknown>, file: string, line: number, name: string, required: boolean): string {
  const v = obj[name];
  if (v === undefined || v === null) {
    if (required) throw new DatasetError(file, line, name, 'missing');
    return '';
  }
  if (typeof v !== 'string') throw new DatasetError(file, line, name, `expected a string, got ${typeof v}`);
  return v;
}

/** Streams corpus.jsonl (`docid` is accepted in place of `_id`, as the LRAT corpus format uses it). */
export async function* readCorpus(file: string): AsyncGenerator<Doc> {
  for await (const { value, line } of jsonLines(file)) {
    yield {
      docid: idField(value, file, line, ['_id', 'docid']),
      title: stringField(value, file, line, 'title', false),
      text: stringField(value, file, line, 'text', true),
    };
  }
}

export async function readQueries(file: string): Promise<Array<Omit<Question, 'evidence'>>> {
  const out: Array<Omit<Question, 'evidence'>> = [];
  for await (const { value, line } of jsonLines(file)) {
    const { _id: _ignoredId, text: _ignoredText, answer, ...metadata } = value;
    let gold: string | undefined;
    if (answer !== undefined && answer !== null) {
      if (typeof answer === 'string') gold = answer;
      else if (typeof answer === 'number' || typeof answer === 'boolean') gold = String(answer);
      else if (Array.isArray(answer) && answer.length > 0 && typeof answer[0] === 'string') gold = answer[0];
      else throw new DatasetError(file, line, 'answer', 'expected a string');
    }
    out.push({ id: idField(value, file, line, ['_id']), text: stringField(value, file, line, 'text', true), answer: gold, metadata });
  }
  return out;
}

/** Reads one BEIR qrels TSV into `into` (header row optional; blank lines skipped). */
export async function readQrels(file: string, into: Qrels = new Map()): Promise<Qrels> {
  const content = await fs.readFile(file, 'utf8');
  const lines = content.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const cols = raw.split('\t');
    if (line === 1 && /^query[-_ ]?id$/i.test(cols[0].trim())) return;
    if (cols.length < 2) throw new DatasetError(file, line, 'corpus-id', 'expected at least 2 tab-separated columns');
    const qid = cols[0].trim();
    const docid = cols[1].trim();
    // Some TREC-style files put "Q0" between the ids; BEIR has query-id, corpus-id, score.
    const trec = cols.length >= 4;
    const scoreText = (trec ? cols[3] : cols[2] ?? '1').trim();
    const score = Number(scoreText);
    if (!Number.isFinite(score)) throw new DatasetError(file, line, 'score', `not a number: "${scoreText}"`);
    const did = trec ? cols[2].trim() : docid;
    if (!qid) throw new DatasetError(file, line, 'query-id', 'empty');
    if (!did) throw new DatasetError(file, line, 'corpus-id', 'empty');
    let m = into.get(qid);
    if (!m) into.set(qid, (m = new Map()));
    m.set(did, score);
  });
  return into;
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
  const raw = await readQueries(queriesPath);
  let questions: Question[] = raw.map((q) => ({
    ...q,
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
