import type { Doc } from '@lrat/core';
import { InputError, readLines } from './line-reader';

export interface Query {
  id: string;
  text: string;
  /** Every other field of the query record (BEIR keeps answers, supporting facts, ... here). */
  extra?: Record<string, unknown>;
}

function parseJsonLine(file: string, lineNo: number, line: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new InputError(file, lineNo, undefined, `invalid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(file, lineNo, undefined, 'expected a JSON object');
  }
  return value as Record<string, unknown>;
}

function idField(file: string, lineNo: number, rec: Record<string, unknown>, names: string[]): string {
  for (const name of names) {
    const v = rec[name];
    if (typeof v === 'string' && v.length > 0) return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  throw new InputError(file, lineNo, names[0], `missing id (expected a string in ${names.map((n) => `"${n}"`).join(' or ')})`);
}

function textField(file: string, lineNo: number, rec: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const v = rec[name];
  if (v === undefined || v === null) {
    if (required) throw new InputError(file, lineNo, name, 'missing text');
    return undefined;
  }
  if (typeof v !== 'string') throw new InputError(file, lineNo, name, `expected a string, got ${typeof v}`);
  return v;
}

/**
 * Streams a corpus: BEIR JSONL `{_id, title, text}` (also `{docid|id, title?, text|contents}`),
 * or TSV `id<TAB>text[<TAB>title]`.
 */
export async function* readCorpus(file: string): AsyncGenerator<Doc> {
  const tsv = /\.tsv(\.gz)?$/.test(file);
  for await (const { line, lineNo } of readLines(file)) {
    if (line.trim() === '') continue;
    if (tsv) {
      const cols = line.split('\t');
      if (cols.length < 2) throw new InputError(file, lineNo, 'text', 'expected id<TAB>text[<TAB>title]');
      if (lineNo === 1 && /^(_?id|doc-?id|corpus-id)$/i.test(cols[0])) continue;
      yield cols.length >= 3 ? { docid: cols[0], text: cols[1], title: cols[2] } : { docid: cols[0], text: cols[1] };
      continue;
    }
    const rec = parseJsonLine(file, lineNo, line);
    const docid = idField(file, lineNo, rec, ['_id', 'docid', 'id']);
    const text = textField(file, lineNo, rec, rec.text !== undefined ? 'text' : 'contents', true) ?? '';
    const title = textField(file, lineNo, rec, 'title', false);
    yield title ? { docid, title, text } : { docid, text };
  }
}

/** Streams queries: BEIR JSONL `{_id, text, ...}` (also `{id|qid|query_id, text|query}`) or TSV `id<TAB>text`. */
export async function* readQueries(file: string): AsyncGenerator<Query> {
  const tsv = /\.tsv(\.gz)?$/.test(file);
  for await (const { line, lineNo } of readLines(file)) {
    if (line.trim() === '') continue;
    if (tsv) {
      const cols = line.split('\t');
      if (cols.length < 2) throw new InputError(file, lineNo, 'text', 'expected id<TAB>text');
      if (lineNo === 1 && /^(_?id|q(uery)?-?id)$/i.test(cols[0])) continue;
      yield { id: cols[0], text: cols[1] };
      continue;
    }
    const rec = parseJsonLine(file, lineNo, line);
    const id = idField(file, lineNo, rec, ['_id', 'id', 'qid', 'query_id']);
    const text = textField(file, lineNo, rec, rec.text !== undefined ? 'text' : 'query', true) ?? '';
    const extra: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) if (!['_id', 'id', 'qid', 'query_id', 'text', 'query'].includes(k)) extra[k] = v;
    yield Object.keys(extra).length > 0 ? { id, text, extra } : { id, text };
  }
}

/** Reads every document of a corpus into memory. */
export async function loadCorpus(file: string): Promise<Doc[]> {
  const docs: Doc[] = [];
  for await (const d of readCorpus(file)) docs.push(d);
  return docs;
}

export async function loadQueries(file: string): Promise<Query[]> {
  const out: Query[] = [];
  for await (const q of readQueries(file)) out.push(q);
  return out;
}
