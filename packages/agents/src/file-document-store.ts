import { createReadStream, promises as fs } from 'fs';
import { InputFileError, parseCorpusLine } from '@lrat/core';
import type { DocumentStore } from '@lrat/trajectory';

// A document store for corpora too big to hold: one pass records each document's byte range in
// corpus.jsonl, then get() reads and parses just that line. Memory ≈ ids + two numbers per doc.

export interface FileDocumentStore extends DocumentStore {
  readonly size: number;
  close(): Promise<void>;
}

export async function openFileDocumentStore(corpusPath: string): Promise<FileDocumentStore> {
  const offsets = new Map<string, [number, number, number]>();
  let pos = 0;
  let lineNo = 0;
  let carry: Buffer[] = [];
  let carryStart = 0;
  const idRe = /"(?:_id|docid)"\s*:\s*(?:"((?:[^"\\]|\\.)*)"|(-?[0-9][0-9.eE+-]*))/;
  const record = (line: Buffer, start: number) => {
    lineNo++;
    const text = line.toString('utf8');
    if (text.trim() === '') return;
    // Ids are read with a light scan; the full line is validated when the document is fetched.
    const m = idRe.exec(text);
    if (!m) throw new InputFileError(corpusPath, lineNo, '_id', 'missing id (a string or a number in "_id" or "docid")');
    const id = m[1] !== undefined ? (JSON.parse(`"${m[1]}"`) as string) : m[2];
    offsets.set(id, [start, line.length, lineNo]);
  };
  for await (const chunk of createReadStream(corpusPath) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
      const piece = chunk.subarray(from, i);
      const line = carry.length ? Buffer.concat([...carry, piece]) : piece;
      record(line, carry.length ? carryStart : pos + from);
      carry = [];
      from = i + 1;
    }
    if (from < chunk.length) {
      if (carry.length === 0) carryStart = pos + from;
      carry.push(chunk.subarray(from));
    }
    pos += chunk.length;
  }
  if (carry.length) record(Buffer.concat(carry), carryStart);

  const handle = await fs.open(corpusPath, 'r');
  return {
    size: offsets.size,
    async get(docid) {
      const at = offsets.get(docid);
      if (!at) return undefined;
      const [start, length, line] = at;
      const buf = Buffer.alloc(length);
      await handle.read(buf, 0, length, start);
      // The full line is read by the one corpus reader's rules; the key stays the id the scan found.
      const doc = parseCorpusLine(buf.toString('utf8').replace(/^\uFEFF/, ''), corpusPath, line);
      return doc ? { ...doc, docid } : undefined;
    },
    close: () => handle.close(),
  };
}
