import { InputFileError, readTextLines, writeFileAtomic, type Qrels } from '@lrat/core';

export interface RunEntry {
  docid: string;
  score: number;
}
/** A ranked run: query id → retrieved docs with scores (order is not trusted; see metrics). */
export type Run = Map<string, RunEntry[]>;

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
  for await (const { text, line: lineNo } of readTextLines(file)) {
    const trimmed = text.trim();
    if (trimmed === '') continue;
    const cols = trimmed.split(/\s+/);
    if (cols.length !== 6) throw new InputFileError(file, lineNo, undefined, `expected 6 columns "qid Q0 docid rank score tag", got ${cols.length}`);
    const [qid, , docid, rankText, scoreText] = cols;
    if (!/^-?\d+$/.test(rankText)) throw new InputFileError(file, lineNo, 'rank', `not an integer: "${rankText}"`);
    const score = Number(scoreText);
    if (!Number.isFinite(score)) throw new InputFileError(file, lineNo, 'score', `not a finite number: "${scoreText}"`);
    let docs = seen.get(qid);
    if (!docs) seen.set(qid, (docs = new Set()));
    // trec_eval refuses duplicate documents for a query: the ranking would be ambiguous.
    if (docs.has(docid)) throw new InputFileError(file, lineNo, 'docid', `duplicate document "${docid}" for query "${qid}"`);
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
