import { InputFileError } from './input-file-error';
import { idField, isTsv, parseJsonRecord, stringField } from './json-record';
import { readTextLines } from './text-lines';

// The one queries reader: BEIR JSONL `{_id, text, ...}` (also `{id|qid|query_id, text|query}`) or TSV
// `id<TAB>text` for a .tsv file.

export interface Query {
  id: string;
  text: string;
  /** The gold answer, when the query has one (multi-hop QA sets): `answer`, or the first of a list. */
  answer?: string;
  /** Every other field of the query record (type, level, supporting facts, ...). */
  extra?: Record<string, unknown>;
}

const ID_FIELDS = ['_id', 'id', 'qid', 'query_id'];
const KNOWN_FIELDS = new Set([...ID_FIELDS, 'text', 'query', 'answer']);

function goldAnswer(v: unknown, file: string, line: number): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.length > 0 && typeof v[0] === 'string') return v[0];
  throw new InputFileError(file, line, 'answer', 'expected a string');
}

/** The query of one JSONL line; null for a blank line. */
export function parseQueryLine(text: string, file: string, line: number): Query | null {
  if (text.trim() === '') return null;
  const rec = parseJsonRecord(text, file, line);
  const id = idField(rec, ID_FIELDS, file, line);
  const body = stringField(rec, rec.text === undefined && rec.query !== undefined ? 'query' : 'text', true, file, line) ?? '';
  const answer = goldAnswer(rec.answer, file, line);
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec)) if (!KNOWN_FIELDS.has(k)) extra[k] = v;
  const query: Query = answer === undefined ? { id, text: body } : { id, text: body, answer };
  if (Object.keys(extra).length > 0) query.extra = extra;
  return query;
}

function parseQueryTsvLine(text: string, file: string, line: number): Query | null {
  if (text.trim() === '') return null;
  const cols = text.split('\t');
  if (cols.length < 2) throw new InputFileError(file, line, 'text', 'expected id<TAB>text');
  if (line === 1 && /^(_?id|q(uery)?-?id)$/i.test(cols[0])) return null;
  return { id: cols[0], text: cols[1] };
}

/** Streams the queries of a file in file order. A bad line is an error naming file, line and field. */
export async function* readQueries(file: string): AsyncGenerator<Query> {
  const tsv = isTsv(file);
  for await (const { text, line } of readTextLines(file)) {
    const q = tsv ? parseQueryTsvLine(text, file, line) : parseQueryLine(text, file, line);
    if (q) yield q;
  }
}

/** Reads every query of a file into memory, in file order. */
export async function loadQueries(file: string): Promise<Query[]> {
  const out: Query[] = [];
  for await (const q of readQueries(file)) out.push(q);
  return out;
}
