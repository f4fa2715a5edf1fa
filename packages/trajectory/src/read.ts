import { createReadStream, promises as fsp, readFileSync } from 'fs';
import * as path from 'path';
import { gunzipSync, createGunzip } from 'zlib';
import { decodeUtf8Strict, hasDigitRunOver, NeedsFaithfulParse, parsePythonJson, parsePythonJsonFast, PyFloat, PyInt, PyJsonError, PY_INT_MAX_DIGITS, type PyValue } from '@lrat/core';
import { browseCompPlusToTrajectory, isBrowseCompPlusRun } from './adapters/browsecomp-plus';
import { isLratTrajectory, lratToTrajectory } from './adapters/lrat';
import { isNormalisedTrajectory, normalisedToTrajectory } from './adapters/normalised';
import { isOpenAiLog, openAiToTrajectory } from './adapters/openai';
import { FieldError, TrajectoryInputError, type SourceRef } from './errors';
import { isUtf8 } from 'buffer';
import type { Trajectory } from './schema';

// Streaming readers. A file is one JSON document (`.json`, or anything under `--format lrat`, exactly
// as the official loader reads a folder) or JSONL (`.jsonl`, one trajectory per line), optionally
// gzipped. Failures are yielded as items, never thrown, unless `strict`.

export type TrajectoryFormat = 'auto' | 'lrat' | 'browsecomp-plus' | 'openai' | 'jsonl';
export const TRAJECTORY_FORMATS: readonly TrajectoryFormat[] = ['auto', 'lrat', 'browsecomp-plus', 'openai', 'jsonl'];

export interface ReadOptions {
  format?: TrajectoryFormat;
  /** Throw the first failure instead of yielding it (a truncated last JSONL line is still only reported). */
  strict?: boolean;
}

export type ReadItem =
  | { ok: true; trajectory: Trajectory; source: SourceRef }
  | { ok: false; error: TrajectoryInputError };

/** Code-point order (Python's sorted() on str), not UTF-16 order. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const d = (x.value.codePointAt(0) as number) - (y.value.codePointAt(0) as number);
    if (d !== 0) return d;
  }
}

/**
 * The files to read, in order: each path as given; a directory contributes every regular file
 * directly inside it (symlinks followed, sub-folders ignored, dot-files included) in sorted name order.
 */
export async function listTrajectoryFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = await fsp.stat(p);
    } catch {
      throw new Error(`${p}: no such file or directory`);
    }
    if (!st.isDirectory()) {
      out.push(p);
      continue;
    }
    const names = (await fsp.readdir(p)).sort(compareCodePoints);
    for (const name of names) {
      const f = path.join(p, name);
      try {
        if ((await fsp.stat(f)).isFile()) out.push(f);
      } catch {
        // a dangling symlink is not a regular file: ignored, as os.path.isfile does
      }
    }
  }
  return out;
}

export function isJsonlName(file: string): boolean {
  return /\.jsonl(\.gz)?$/i.test(file);
}

function isGzip(file: string, bytes: Uint8Array): boolean {
  return /\.gz$/i.test(file) && bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Whether a file is read line by line under this format. */
export function readsAsLines(file: string, format: TrajectoryFormat): boolean {
  if (format === 'lrat' || format === 'browsecomp-plus') return false;
  if (format === 'jsonl') return true;
  return isJsonlName(file);
}

function trajectoryId(source: SourceRef): string {
  const base = path.basename(source.file).replace(/(\.jsonl|\.json)?(\.gz)?$/i, '');
  return source.line !== undefined ? `${base}:${source.line}` : base;
}

const plainScalar = (v: PyValue): unknown => (v instanceof PyInt ? Number(v.digits) : v instanceof PyFloat ? v.value : v);

/**
 * Plain JSON from a Python-typed value (for the formats that do not need Python semantics). Iterative:
 * an array nested 100,000 deep (JSON.parse accepts it) must not overflow the stack.
 */
function toPlain(root: PyValue): unknown {
  if (!Array.isArray(root) && !(root instanceof Map)) return plainScalar(root);
  const container = (v: PyValue[] | Map<string, PyValue>): unknown[] | Record<string, unknown> => (Array.isArray(v) ? new Array<unknown>(v.length) : {});
  const out = container(root);
  const stack: [PyValue[] | Map<string, PyValue>, unknown[] | Record<string, unknown>][] = [[root, out]];
  while (stack.length) {
    const [src, dst] = stack.pop() as (typeof stack)[number];
    const put = (k: string | number, x: PyValue): void => {
      if (Array.isArray(x) || x instanceof Map) {
        const d = container(x);
        (dst as Record<string | number, unknown>)[k] = d;
        stack.push([x, d]);
      } else {
        (dst as Record<string | number, unknown>)[k] = plainScalar(x);
      }
    };
    if (Array.isArray(src)) src.forEach((x, i) => put(i, x));
    else for (const [k, x] of src) put(k, x);
  }
  return out;
}

function fail(kind: 'skipped' | 'dropped' | 'truncated', source: SourceRef, reason: string, field?: string): ReadItem {
  return { ok: false, error: new TrajectoryInputError(kind, source, reason, field) };
}

/**
 * One JSON document (a whole file or one JSONL line) to a trajectory, in the given format. Never
 * throws on bad input: a document too deep or too large for any conversion step (RangeError) is
 * skipped with its reason, like every other unusable input.
 */
export function parseTrajectoryText(text: string, source: SourceRef, format: TrajectoryFormat): ReadItem {
  try {
    return convertTrajectoryText(text, source, format);
  } catch (e) {
    if (e instanceof RangeError) return fail('skipped', source, `cannot be converted (${e.message}; nested or sized beyond what this reader handles)`);
    throw e;
  }
}

function convertTrajectoryText(text: string, source: SourceRef, format: TrajectoryFormat): ReadItem {
  let v: PyValue;
  try {
    v = parsePythonJsonFast(text);
  } catch (e) {
    if (e instanceof PyJsonError) return fail('skipped', source, `not valid JSON: ${e.message}`);
    throw e;
  }
  const id = trajectoryId(source);
  try {
    if (format === 'browsecomp-plus' || (format === 'auto' && isBrowseCompPlusRun(v))) {
      if (!isLratTrajectory(v)) return fail('skipped', source, "not a JSON object with a 'result' key");
      return { ok: true, trajectory: browseCompPlusToTrajectory(toPlain(v) as PyValue, id), source };
    }
    if (format === 'lrat' || (format === 'auto' && isLratTrajectory(v))) {
      if (!isLratTrajectory(v)) return fail('skipped', source, "not a JSON object with a 'result' key");
      try {
        return { ok: true, trajectory: lratToTrajectory(v, id), source };
      } catch (e) {
        if (!(e instanceof NeedsFaithfulParse)) throw e;
        return { ok: true, trajectory: lratToTrajectory(parsePythonJson(text), id), source };
      }
    }
    const plain = toPlain(v);
    if (format === 'jsonl' || (format === 'auto' && isNormalisedTrajectory(plain))) {
      return { ok: true, trajectory: normalisedToTrajectory(plain), source };
    }
    if (format === 'openai' || (format === 'auto' && isOpenAiLog(plain))) {
      return { ok: true, trajectory: openAiToTrajectory(plain, id), source };
    }
    return fail('skipped', source, "unrecognised trajectory format (no 'result', 'steps' or 'messages')");
  } catch (e) {
    if (e instanceof FieldError) return fail('dropped', source, e.reason, e.field);
    throw e;
  }
}

/** A whole file's bytes as one document (gunzipped when named .gz), to a trajectory. */
export function parseTrajectoryFileBytes(bytes: Uint8Array, file: string, format: TrajectoryFormat): ReadItem {
  const source = { file };
  let raw: Uint8Array;
  try {
    raw = isGzip(file, bytes) ? gunzipSync(bytes) : bytes;
  } catch (e) {
    return fail('skipped', source, `not valid gzip: ${(e as Error).message}`);
  }
  if (format === 'lrat' || format === 'auto') {
    let fast: ReadItem | undefined;
    try {
      fast = fastOfficialFile(raw, source);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e; // the general path below reports it with its reason
    }
    if (fast) return fast;
  }
  let text: string;
  try {
    text = decodeUtf8Strict(raw);
  } catch (e) {
    return fail('skipped', source, (e as Error).message);
  }
  return parseTrajectoryText(text, source, format);
}

const HIGH_BYTE = /[\x80-\xff]/;
const fixLatin1 = (s: string): string => (HIGH_BYTE.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s);

/** Whether a `\uXXXX` escape with a value >= 0x80 occurs (it would be mistaken for a raw byte after Latin-1 reading). */
function hasHighUnicodeEscape(s: string): boolean {
  for (let i = s.indexOf('\\u'); i >= 0; i = s.indexOf('\\u', i + 2)) {
    const h = s.slice(i + 2, i + 6);
    if (!/^[0-9a-fA-F]{4}$/.test(h) || parseInt(h, 16) >= 0x80) return true;
  }
  return false;
}

/**
 * The common case of an official-format file, fast: valid UTF-8 is read as Latin-1 (a copy, no
 * decoding; JSON's syntax is ASCII and UTF-8 multi-byte sequences hold no ASCII bytes), parsed
 * natively, and only the strings the miner uses are decoded. Returns undefined to take the general
 * path whenever that might differ (errors, BOM, escapes >= 0x80, values needing Python semantics).
 */
function fastOfficialFile(raw: Uint8Array, source: SourceRef): ReadItem | undefined {
  if (!isUtf8(raw) || (raw.length >= 3 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf)) return undefined;
  const latin = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  if (hasHighUnicodeEscape(latin) || hasDigitRunOver(latin, PY_INT_MAX_DIGITS)) return undefined;
  let v: PyValue;
  try {
    v = JSON.parse(latin) as PyValue;
  } catch {
    return undefined;
  }
  if (!isLratTrajectory(v) || isBrowseCompPlusRun(v)) return undefined;
  try {
    return { ok: true, trajectory: lratToTrajectory(v, trajectoryId(source), fixLatin1), source };
  } catch (e) {
    if (e instanceof NeedsFaithfulParse) return undefined;
    if (e instanceof FieldError) return undefined; // re-derived on the general path, with the real text in its message
    throw e;
  }
}

/**
 * Splits a byte stream into lines. Linear in the input: the pieces of a line that spans chunks are kept
 * in a list and joined once, when its newline arrives (re-joining on every chunk made a 50 MB line cost
 * minutes). `copiedBytes` counts the bytes copied by those joins, so a test can check this without timing.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  copiedBytes = 0;

  /** The complete lines ending in this chunk (without their newline). */
  *push(chunk: Buffer): Generator<Buffer> {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(10, from);
      if (nl < 0) break;
      yield this.take(chunk.subarray(from, nl));
      from = nl + 1;
    }
    if (from < chunk.length) {
      this.pending.push(chunk.subarray(from));
      this.pendingBytes += chunk.length - from;
    }
  }

  /** The last line when the input does not end with a newline, else null. */
  end(): Buffer | null {
    return this.pendingBytes ? this.take(Buffer.alloc(0)) : null;
  }

  private take(tail: Buffer): Buffer {
    if (!this.pending.length) return tail;
    this.pending.push(tail);
    const line = Buffer.concat(this.pending, this.pendingBytes + tail.length);
    this.copiedBytes += line.length;
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }
}

/** One line of a JSONL file; `unreadable` (with no bytes) when the rest of the file cannot be read. */
export interface JsonlLine {
  line: number;
  bytes: Buffer;
  /** false for a last line without newline. */
  complete: boolean;
  /** Why the file stops here: a corrupt or truncated gzip stream, or a read error. */
  unreadable?: string;
}

/**
 * Split JSONL bytes into lines (1-based numbers). A file that becomes unreadable part-way (a killed
 * writer's truncated .gz, a corrupt block) ends with one `unreadable` line instead of throwing, so the
 * lines before the damage are kept and the run goes on with the next file.
 */
export async function* jsonlLines(file: string): AsyncGenerator<JsonlLine> {
  const head = Buffer.alloc(2);
  const fh = await fsp.open(file, 'r');
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  const gzip = isGzip(file, head);
  const raw = createReadStream(file);
  const stream = gzip ? raw.pipe(createGunzip()) : raw;
  if (gzip) raw.on('error', (e) => stream.destroy(e));
  const splitter = new LineSplitter();
  let line = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (const bytes of splitter.push(chunk)) yield { line: ++line, bytes, complete: true };
    }
  } catch (e) {
    raw.destroy();
    const what = gzip && (e as NodeJS.ErrnoException).code?.startsWith('Z_') ? `gzip: ${(e as Error).message}` : (e as Error).message;
    yield { line: line + 1, bytes: Buffer.alloc(0), complete: false, unreadable: `the rest of the file is unreadable (${what}); the ${line} lines before it were read` };
    return;
  }
  const rest = splitter.end();
  if (rest) yield { line: line + 1, bytes: rest, complete: false };
}

/** A JSONL line (as jsonlLines yields it) to an item, or null for a blank line. */
export function jsonlLineItem(l: Pick<JsonlLine, 'line' | 'complete' | 'unreadable'> & { bytes: Uint8Array }, file: string, format: TrajectoryFormat): ReadItem | null {
  if (l.unreadable !== undefined) return fail('skipped', { file, line: l.line }, l.unreadable);
  return parseTrajectoryLine(l.bytes, { file, line: l.line }, format, l.complete);
}

/** One JSONL line to an item, or null for a blank line. */
export function parseTrajectoryLine(bytes: Uint8Array, source: SourceRef, format: TrajectoryFormat, complete = true): ReadItem | null {
  let text: string;
  try {
    text = decodeUtf8Strict(bytes);
  } catch (e) {
    return fail(complete ? 'skipped' : 'truncated', source, (e as Error).message);
  }
  if (text.trim() === '') return null;
  const item = parseTrajectoryText(text, source, format === 'lrat' || format === 'browsecomp-plus' ? 'auto' : format);
  if (!item.ok && !complete && item.error.kind === 'skipped') {
    return fail('truncated', source, `last line has no newline and does not parse (writer interrupted?): ${item.error.reason}`);
  }
  return item;
}

/** Stream trajectories from files and directories. */
export async function* readTrajectories(paths: readonly string[], opts: ReadOptions = {}): AsyncGenerator<ReadItem> {
  const format = opts.format ?? 'auto';
  const emit = (item: ReadItem): ReadItem => {
    if (!item.ok && opts.strict && item.error.kind !== 'truncated') throw item.error;
    return item;
  };
  for (const file of await listTrajectoryFiles(paths)) {
    if (readsAsLines(file, format)) {
      for await (const l of jsonlLines(file)) {
        const item = jsonlLineItem(l, file, format);
        if (item) yield emit(item);
      }
    } else {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (e) {
        yield emit(fail('skipped', { file }, `cannot read: ${(e as Error).message}`));
        continue;
      }
      yield emit(parseTrajectoryFileBytes(bytes, file, format));
    }
  }
}
