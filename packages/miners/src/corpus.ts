import { createReadStream } from 'fs';
import { documentText } from '@lrat/core';
import { decodeUtf8Strict, isPyDict, NeedsFaithfulParse, parsePythonJson, parsePythonJsonFast, PyJsonError, pyGet, pyHas, pyStr, pyStrip, pyTypeName, type PyValue } from '@lrat/trajectory';

// The document store the miner reads positive and negative texts from. JSONL, one document per line:
// `{docid, text}` as the official builder (docid through Python str(), later lines win) or BEIR
// `{_id, title, text}` (text = title + " " + text when there is a title, as @lrat/indexer and the harness
// join them, so a mined positive is exactly the text the retriever encodes).

export interface Corpus {
  get(docid: string): string | undefined;
  has(docid: string): boolean;
  readonly size: number;
}

export class MapCorpus implements Corpus {
  constructor(private readonly docs: Map<string, string> = new Map()) {}
  get(docid: string): string | undefined {
    return this.docs.get(docid);
  }
  has(docid: string): boolean {
    return this.docs.has(docid);
  }
  set(docid: string, text: string): void {
    this.docs.set(docid, text);
  }
  get size(): number {
    return this.docs.size;
  }
}

export class CorpusError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string | undefined,
    readonly reason: string,
  ) {
    super(`${file}:${line}${field ? ` (field ${field})` : ''}: ${reason}`);
    this.name = 'CorpusError';
  }
}

/** One corpus line to [docid, text]; null for a blank line (the builder skips them). */
export function parseCorpusLine(text: string, file: string, line: number): [string, string] | null {
  if (pyStrip(text) === '') return null;
  let v: PyValue;
  try {
    v = parsePythonJsonFast(text);
  } catch (e) {
    if (e instanceof PyJsonError) throw new CorpusError(file, line, undefined, `not valid JSON: ${e.message}`);
    throw e;
  }
  if (!isPyDict(v)) throw new CorpusError(file, line, undefined, `expected a JSON object, got ${pyTypeName(v)}`);
  const beir = !pyHas(v, 'docid') && pyHas(v, '_id');
  const idField = beir ? '_id' : 'docid';
  if (!pyHas(v, idField)) throw new CorpusError(file, line, 'docid', "missing 'docid' (or BEIR '_id')");
  let id = pyGet(v, idField) as PyValue;
  if (typeof id !== 'string') {
    try {
      id = pyStr(id);
    } catch (e) {
      if (!(e instanceof NeedsFaithfulParse)) throw e;
      id = pyStr(pyGet(parsePythonJson(text) as Map<string, PyValue>, idField) as PyValue);
    }
  }
  if (!pyHas(v, 'text')) throw new CorpusError(file, line, 'text', "missing 'text'");
  const body = pyGet(v, 'text');
  if (typeof body !== 'string') throw new CorpusError(file, line, 'text', `expected a string, got ${pyTypeName(body)}`);
  if (beir) {
    const title = pyGet(v, 'title');
    if (typeof title === 'string') return [id, documentText({ title, text: body })];
  }
  return [id, body];
}

/**
 * Load a corpus JSONL file. Lines break at \n, \r\n and lone \r, as Python's text mode reads them.
 * A malformed line is an error naming file, line and field.
 */
export async function loadCorpus(file: string, onProgress?: (docs: number) => void): Promise<MapCorpus> {
  const corpus = new MapCorpus();
  let line = 0;
  const take = (bytes: Buffer): void => {
    let text: string;
    try {
      text = decodeUtf8Strict(bytes);
    } catch (e) {
      throw new CorpusError(file, line + 1, undefined, (e as Error).message);
    }
    if (text.endsWith('\r')) text = text.slice(0, -1);
    for (const part of text.includes('\r') ? text.split('\r') : [text]) {
      line++;
      const kv = parseCorpusLine(part, file, line);
      if (kv) corpus.set(kv[0], kv[1]);
      if (onProgress && line % 100000 === 0) onProgress(corpus.size);
    }
  };
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let from = 0;
    for (;;) {
      const nl = buf.indexOf(10, from);
      if (nl < 0) break;
      take(buf.subarray(from, nl));
      from = nl + 1;
    }
    rest = Buffer.from(buf.subarray(from));
  }
  if (rest.length) take(rest);
  return corpus;
}
