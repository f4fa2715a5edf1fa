import { createReadStream } from 'fs';
import { createInterface } from 'readline';
import { createGunzip } from 'zlib';
import { decodeUtf8Strict } from '../python/json-parse';
import { InputFileError } from './input-file-error';

export interface TextLine {
  text: string;
  /** 1-based. */
  line: number;
}

/** The file's bytes, gunzipped when it ends in .gz; `raw` is what to destroy when the reader stops early. */
function openBytes(file: string): { raw: NodeJS.ReadableStream & { destroy(): void }; input: NodeJS.ReadableStream } {
  const raw = createReadStream(file);
  return { raw, input: file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw };
}

/**
 * The lines of a text file (gzip when it ends in .gz), broken at \n and \r\n. A byte-order mark
 * before the first line is dropped, as editors on Windows write one.
 */
export async function* readTextLines(file: string): AsyncGenerator<TextLine> {
  const { raw, input } = openBytes(file);
  const rl = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of rl) {
      line++;
      yield { text: line === 1 && text.startsWith('\uFEFF') ? text.slice(1) : text, line };
    }
  } finally {
    rl.close();
    raw.destroy();
  }
}

/**
 * The lines as Python's text mode reads them (`open(f, encoding="utf-8")`): strict UTF-8 (a bad byte
 * is an error naming the line), breaks at \n, \r\n and a lone \r, no byte-order-mark handling.
 */
export async function* readPythonTextLines(file: string): AsyncGenerator<TextLine> {
  let line = 0;
  function* split(bytes: Buffer): Generator<TextLine> {
    let text: string;
    try {
      text = decodeUtf8Strict(bytes);
    } catch (e) {
      throw new InputFileError(file, line + 1, undefined, (e as Error).message);
    }
    if (text.endsWith('\r')) text = text.slice(0, -1);
    for (const part of text.includes('\r') ? text.split('\r') : [text]) yield { text: part, line: ++line };
  }
  const { raw, input } = openBytes(file);
  let rest: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      let from = 0;
      for (;;) {
        const nl = buf.indexOf(10, from);
        if (nl < 0) break;
        yield* split(buf.subarray(from, nl));
        from = nl + 1;
      }
      rest = Buffer.from(buf.subarray(from));
    }
    if (rest.length) yield* split(rest);
  } finally {
    raw.destroy();
  }
}
