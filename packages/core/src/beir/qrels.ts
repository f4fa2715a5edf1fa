import { InputFileError } from './input-file-error';
import { readTextLines } from './text-lines';

/** Relevance judgements: query id → (doc id → graded relevance). */
export type Qrels = Map<string, Map<string, number>>;

// The one qrels reader, for both common layouts: BEIR TSV `query-id<TAB>corpus-id<TAB>score` (header
// optional; the score defaults to 1 when the column is absent) and TREC `qid iter docid rel`
// (whitespace separated). A tab-separated line is split at tabs only, so ids may hold spaces.

/** Reads one qrels file into `into` (a later judgement of the same pair wins), and returns it. */
export async function readQrels(file: string, into: Qrels = new Map()): Promise<Qrels> {
  for await (const { text, line } of readTextLines(file)) {
    if (text.trim() === '') continue;
    const cols = text.includes('\t') ? text.split('\t').map((c) => c.trim()) : text.trim().split(/\s+/);
    if (line === 1 && /^query[-_ ]?id$/i.test(cols[0])) continue;
    if (cols.length < 2 || cols.length > 4) {
      throw new InputFileError(file, line, undefined, `expected "query-id<TAB>corpus-id[<TAB>score]" or "qid iter docid rel", got ${cols.length} column${cols.length === 1 ? '' : 's'}`);
    }
    const trec = cols.length === 4;
    const qid = cols[0];
    const docid = trec ? cols[2] : cols[1];
    const scoreText = (trec ? cols[3] : cols[2]) ?? '1';
    const score = Number(scoreText);
    if (!Number.isFinite(score)) throw new InputFileError(file, line, 'score', `not a number: "${scoreText}"`);
    if (!qid) throw new InputFileError(file, line, 'query-id', 'empty');
    if (!docid) throw new InputFileError(file, line, 'corpus-id', 'empty');
    let m = into.get(qid);
    if (!m) into.set(qid, (m = new Map()));
    m.set(docid, score);
  }
  return into;
}
