import { createReadStream, promises as fsp, readFileSync } from 'fs';
import * as path from 'path';
import { gunzipSync, createGunzip } from 'zlib';
import { browseCompPlusToTrajectory, isBrowseCompPlusRun } from './adapters/browsecomp-plus';
import { isLratTrajectory, lratToTrajectory } from './adapters/lrat';
import { isNormalisedTrajectory, normalisedToTrajectory } from './adapters/normalised';
import { isOpenAiLog, openAiToTrajectory } from './adapters/openai';
import { FieldError, TrajectoryInputError, type SourceRef } from './errors';
import { isUtf8 } from 'buffer';
import { decodeUtf8Strict, hasDigitRunOver, parsePythonJson, parsePythonJsonFast, PyJsonError, PY_INT_MAX_DIGITS } from './python/json-parse';
import { NeedsFaithfulParse, PyFloat, PyInt, type PyValue } from './python/py-value';
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

/** Plain JSON from a Python-typed value (for the formats that do not need Python semantics). */
function toPlain(v: PyValue): unknown {
  if (v instanceof PyInt) return Number(v.digits);
  if (v instanceof PyFloat) return v.value;
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) o[k] = toPlain(x);
    return o;
  }
  return v;
}

function fail(kind: 'skipped' | 'dropped' | 'truncated', source: SourceRef, reason: string, field?: string): ReadItem {
  return { ok: false, error: new TrajectoryInputError(kind, source, reason, field) };
}

/** One JSON document (a whole file or one JSONL line) to a trajectory, in the given format. */
export function parseTrajectoryText(text: string, source: SourceRef, format: TrajectoryFormat): ReadItem {
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
    const fast = fastOfficialFile(raw, source);
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

/** Split JSONL bytes into lines (1-based numbers); `complete` is false for a last line without newline. */
export async function* jsonlLines(file: string): AsyncGenerator<{ line: number; bytes: Buffer; complete: boolean }> {
  const head = Buffer.alloc(2);
  const fh = await fsp.open(file, 'r');
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  const raw = createReadStream(file);
  const stream = isGzip(file, head) ? raw.pipe(createGunzip()) : raw;
  let rest: Buffer = Buffer.alloc(0);
  let line = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let from = 0;
    for (;;) {
      const nl = buf.indexOf(10, from);
      if (nl < 0) break;
      line++;
      yield { line, bytes: buf.subarray(from, nl), complete: true };
      from = nl + 1;
    }
    buf = buf.subarray(from);
    rest = Buffer.from(buf);
  }
  if (rest.length) yield { line: line + 1, bytes: rest, complete: false };
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
        const item = parseTrajectoryLine(l.bytes, { file, line: l.line }, format, l.complete);
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
