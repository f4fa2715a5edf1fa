import { writeFileAtomic } from '@lrat/core';
import { InputError, readLines } from './line-reader';

/** Relevance judgements: query id → doc id → graded relevance. */
export type Qrels = Map<string, Map<string, number>>;

export interface RunEntry {
  docid: string;
  score: number;
}
/** A ranked run: query id → retrieved docs with scores (order is not trusted; see metrics). */
export type Run = Map<string, RunEntry[]>;

/**
 * Reads qrels in either of the two common layouts: TREC `qid iter docid rel` (whitespace separated)
 * or BEIR TSV `query-id<TAB>corpus-id<TAB>score` with its header line.
 */
export async function readQrels(file: string): Promise<Qrels> {
  const qrels: Qrels = new Map();
  for await (const { line, lineNo } of readLines(file)) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const cols = trimmed.split(/\s+/);
    if (lineNo === 1 && /^query[-_]?id$/i.test(cols[0])) continue;
    let qid: string, docid: string, relText: string;
    if (cols.length === 4) [qid, , docid, relText] = cols;
    else if (cols.length === 3) [qid, docid, relText] = cols;
    else throw new InputError(file, lineNo, undefined, `expected "qid 0 docid rel" or "qid<TAB>docid<TAB>rel", got ${cols.length} columns`);
    const rel = Number(relText);
    if (!Number.isInteger(rel)) throw new InputError(file, lineNo, 'rel', `relevance must be an integer, got "${relText}"`);
    let m = qrels.get(qid);
    if (!m) qrels.set(qid, (m = new Map()));
    m.set(docid, rel);
  }
  return qrels;
}

/** Writes qrels in TREC format (`qid 0 docid rel`), atomically. */
export async function writeQrels(file: string, qrels: Qrels): Promise<void> {
  const lines: string[] = [];
  for (const [qid, docs] of qrels) for (const [docid, rel] of docs) lines.push(`${qid} 0 ${docid} ${rel}`);
  await writeFileAtomic(file, lines.length ? `${lines.join('\n')}\n` : '');
}

/** Reads a standard 6-column TREC run file (`qid Q0 docid rank score tag`). */
export async function readTrecRun(file: string): Promise<Run> {
  const run: Run = new Map();
  const seen = new Map<string, Set<string>>();
  for await (const { line, lineNo } of readLines(file)) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const cols = trimmed.split(/\s+/);
    if (cols.length !== 6) throw new InputError(file, lineNo, undefined, `expected 6 columns "qid Q0 docid rank score tag", got ${cols.length}`);
    const [qid, , docid, rankText, scoreText] = cols;
    if (!/^-?\d+$/.test(rankText)) throw new InputError(file, lineNo, 'rank', `not an integer: "${rankText}"`);
    const score = Number(scoreText);
    if (!Number.isFinite(score)) throw new InputError(file, lineNo, 'score', `not a finite number: "${scoreText}"`);
    let docs = seen.get(qid);
    if (!docs) seen.set(qid, (docs = new Set()));
    // trec_eval refuses duplicate documents for a query: the ranking would be ambiguous.
    if (docs.has(docid)) throw new InputError(file, lineNo, 'docid', `duplicate document "${docid}" for query "${qid}"`);
    docs.add(docid);
    let list = run.get(qid);
    if (!list) run.set(qid, (list = []));
    list.push({ docid, score });
  }
  return run;
}

/** Formats a score so that distinct float64 scores stay distinct in the file (ties stay ties). */
function formatScore(score: number): string {
  return Number.isInteger(score) ? score.toFixed(1) : String(score);
}

/** One query's lines in TREC run format, ranked in the given order (rank 1 first). */
export function formatTrecRunLines(qid: string, hits: readonly RunEntry[], tag: string): string[] {
  if (/\s/.test(tag) || tag === '') throw new Error(`run tag must be a non-empty word without spaces, got "${tag}"`);
  return hits.map((h, i) => `${qid} Q0 ${h.docid} ${i + 1} ${formatScore(h.score)} ${tag}`);
}

/** Writes a run in the standard 6-column TREC format, atomically. Entries are written in list order. */
export async function writeTrecRun(file: string, run: Run, tag = 'lrat'): Promise<void> {
  const lines: string[] = [];
  for (const [qid, hits] of run) lines.push(...formatTrecRunLines(qid, hits, tag));
  await writeFileAtomic(file, lines.length ? `${lines.join('\n')}\n` : '');
}
