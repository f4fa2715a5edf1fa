import type { Doc } from '../document';
import { PyJsonError, parsePythonJson, parsePythonJsonFast } from '../python/json-parse';
import { isPyDict, NeedsFaithfulParse, pyGet, pyHas, pyStr, pyStrip, pyTypeName, type PyValue } from '../python/py-value';
import { InputFileError } from './input-file-error';
import { idField, isTsv, parseJsonRecord, stringField } from './json-record';
import { readPythonTextLines, readTextLines } from './text-lines';

// The one corpus reader. BEIR JSONL `{_id, title, text}`; also `{docid|id, title?, text|contents}` (the
// LRAT corpus and Pyserini layouts), and TSV `id<TAB>text[<TAB>title]` for a .tsv file.
//
// `python: true` reads the file as the official builder does, for byte-identical mining: lines as
// Python's text mode breaks them, `json.loads` values, the id through Python's `str()` (7 → "7",
// 1.0 → "1.0", true → "True"), `docid` before `_id`, and a title only on BEIR `_id` records.

export interface ReadCorpusOptions {
  /** Read as the official Python builder reads its corpus (see above). Default false. */
  python?: boolean;
}

/** The document of one JSONL corpus line; null for a blank line. */
export function parseCorpusLine(text: string, file: string, line: number, options: ReadCorpusOptions = {}): Doc | null {
  if (options.python) return parsePythonCorpusLine(text, file, line);
  if (text.trim() === '') return null;
  const rec = parseJsonRecord(text, file, line);
  const docid = idField(rec, ['_id', 'docid', 'id'], file, line);
  const body = stringField(rec, rec.text === undefined && rec.contents !== undefined ? 'contents' : 'text', true, file, line) ?? '';
  const title = stringField(rec, 'title', false, file, line);
  return title ? { docid, title, text: body } : { docid, text: body };
}

function parsePythonCorpusLine(text: string, file: string, line: number): Doc | null {
  if (pyStrip(text) === '') return null;
  let v: PyValue;
  try {
    v = parsePythonJsonFast(text);
  } catch (e) {
    if (e instanceof PyJsonError) throw new InputFileError(file, line, undefined, `not valid JSON: ${e.message}`);
    throw e;
  }
  if (!isPyDict(v)) throw new InputFileError(file, line, undefined, `expected a JSON object, got ${pyTypeName(v)}`);
  const beir = !pyHas(v, 'docid') && pyHas(v, '_id');
  const idName = beir ? '_id' : 'docid';
  if (!pyHas(v, idName)) throw new InputFileError(file, line, 'docid', "missing 'docid' (or BEIR '_id')");
  let id = pyGet(v, idName) as PyValue;
  if (typeof id !== 'string') {
    try {
      id = pyStr(id);
    } catch (e) {
      if (!(e instanceof NeedsFaithfulParse)) throw e;
      id = pyStr(pyGet(parsePythonJson(text) as Map<string, PyValue>, idName) as PyValue);
    }
  }
  if (!pyHas(v, 'text')) throw new InputFileError(file, line, 'text', "missing 'text'");
  const body = pyGet(v, 'text');
  if (typeof body !== 'string') throw new InputFileError(file, line, 'text', `expected a string, got ${pyTypeName(body)}`);
  const title = beir ? pyGet(v, 'title') : undefined;
  return typeof title === 'string' && title !== '' ? { docid: id, title, text: body } : { docid: id, text: body };
}

function parseCorpusTsvLine(text: string, file: string, line: number): Doc | null {
  if (text.trim() === '') return null;
  const cols = text.split('\t');
  if (cols.length < 2) throw new InputFileError(file, line, 'text', 'expected id<TAB>text[<TAB>title]');
  if (line === 1 && /^(_?id|doc-?id|corpus-id)$/i.test(cols[0])) return null;
  return cols.length >= 3 ? { docid: cols[0], text: cols[1], title: cols[2] } : { docid: cols[0], text: cols[1] };
}

/** Streams the documents of a corpus file in file order. A bad line is an error naming file, line and field. */
export async function* readCorpus(file: string, options: ReadCorpusOptions = {}): AsyncGenerator<Doc> {
  const tsv = isTsv(file);
  for await (const { text, line } of options.python ? readPythonTextLines(file) : readTextLines(file)) {
    const doc = tsv ? parseCorpusTsvLine(text, file, line) : parseCorpusLine(text, file, line, options);
    if (doc) yield doc;
  }
}

/** Reads every document of a corpus into memory, in file order. */
export async function loadCorpus(file: string, options: ReadCorpusOptions = {}): Promise<Doc[]> {
  const docs: Doc[] = [];
  for await (const d of readCorpus(file, options)) docs.push(d);
  return docs;
}
