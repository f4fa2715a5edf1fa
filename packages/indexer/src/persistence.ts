import { createHash } from 'crypto';
import { promises as fsp } from 'fs';
import * as path from 'path';
import { ownedByManifest, recoverDirectory, replaceDirectory } from '@lrat/core';
import { Bm25Index, type Bm25Data } from './bm25-index';
import { DenseIndex } from './dense-index';

export const INDEX_FORMAT = 'lrat-index';
export const INDEX_FORMAT_VERSION = 1;

/** Which encoder produced a dense index's vectors; queries must be encoded by the same one. */
export interface EncoderRef {
  id: string;
  version: string;
  /** Where the model lives (absolute path when recorded by `lrat index`). */
  path: string;
}

export interface FileEntry {
  sha256: string;
  bytes: number;
}

export interface IndexManifest {
  format: typeof INDEX_FORMAT;
  formatVersion: number;
  kind: 'bm25' | 'dense' | 'hybrid';
  /** Vector dimension (dense and hybrid), null for BM25. */
  dims: number | null;
  metric: 'inner_product' | 'bm25' | 'rrf';
  /** FAISS factory string (dense), "bm25", or "rrf(bm25,dense)". */
  factory: string;
  /** Searchable documents. */
  count: number;
  encoder: EncoderRef | null;
  params: Record<string, number>;
  /** Every file of the index (sub-indexes of a hybrid through their manifest.json) with its checksum. */
  files: Record<string, FileEntry>;
  createdAt: string;
  /** sha256 of this manifest without this field: identifies the index version. */
  checksum: string;
}

export interface HybridParts {
  bm25: Bm25Index;
  dense: DenseIndex;
  /** RRF constant (default 60) and how deep each part is searched (default 100). */
  rrfK?: number;
  depth?: number;
}

export type LoadedIndex =
  | { kind: 'bm25'; manifest: IndexManifest; index: Bm25Index }
  | { kind: 'dense'; manifest: IndexManifest; index: DenseIndex }
  | { kind: 'hybrid'; manifest: IndexManifest; bm25: Bm25Index; dense: DenseIndex; rrfK: number; depth: number };

/** Thrown when an index directory cannot be trusted; the message names the directory and the file. */
export class IndexLoadError extends Error {
  constructor(readonly dir: string, message: string) {
    super(`cannot load index ${dir}: ${message}`);
    this.name = 'IndexLoadError';
  }
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

function manifestChecksum(m: Omit<IndexManifest, 'checksum'> & { checksum?: string }): string {
  const { checksum: _ignored, ...rest } = m;
  return sha256(JSON.stringify(rest));
}

// ---- BM25 binary layout: magic, version, N, V, P, then the four u32 arrays (little endian) ----
const BM25_MAGIC = 'LRATBM25';

function encodeBm25(data: Bm25Data): Buffer {
  const N = data.docIds.length;
  const V = data.terms.length;
  const P = data.postingDocs.length;
  const buf = Buffer.alloc(8 + 16 + 4 * (V + 1 + 2 * P + N));
  buf.write(BM25_MAGIC, 0, 'ascii');
  buf.writeUInt32LE(1, 8);
  buf.writeUInt32LE(N, 12);
  buf.writeUInt32LE(V, 16);
  buf.writeUInt32LE(P, 20);
  let off = 24;
  for (const arr of [data.termOffsets, data.postingDocs, data.postingFreqs, data.docLengths]) {
    Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength).copy(buf, off);
    off += arr.byteLength;
  }
  return buf;
}

function decodeBm25(buf: Buffer, where: string): Omit<Bm25Data, 'params' | 'docIds' | 'terms'> & { N: number; V: number } {
  if (buf.length < 24 || buf.toString('ascii', 0, 8) !== BM25_MAGIC) throw new Error(`${where}: not an LRAT BM25 file`);
  const version = buf.readUInt32LE(8);
  if (version !== 1) throw new Error(`${where}: BM25 layout version ${version} is not supported`);
  const N = buf.readUInt32LE(12);
  const V = buf.readUInt32LE(16);
  const P = buf.readUInt32LE(20);
  const expected = 24 + 4 * (V + 1 + 2 * P + N);
  if (buf.length !== expected) throw new Error(`${where}: ${buf.length} bytes, the header implies ${expected}`);
  // Copy into fresh, aligned arrays: a Buffer's offset in its pool need not be a multiple of 4.
  let off = 24;
  const take = (count: number) => {
    const arr = new Uint32Array(count);
    Buffer.from(arr.buffer).set(buf.subarray(off, off + 4 * count));
    off += 4 * count;
    return arr;
  };
  const termOffsets = take(V + 1);
  const postingDocs = take(P);
  const postingFreqs = take(P);
  const docLengths = take(N);
  return { N, V, termOffsets, postingDocs, postingFreqs, docLengths };
}

function indexFiles(index: Bm25Index | DenseIndex): { files: Record<string, Buffer>; base: Pick<IndexManifest, 'kind' | 'dims' | 'metric' | 'factory' | 'count' | 'params'> } {
  if (index instanceof Bm25Index) {
    const d = index.data;
    return {
      files: { 'bm25.bin': encodeBm25(d), 'docids.json': Buffer.from(JSON.stringify(d.docIds)), 'terms.json': Buffer.from(JSON.stringify(d.terms)) },
      base: { kind: 'bm25', dims: null, metric: 'bm25', factory: 'bm25', count: index.count, params: { ...d.params } },
    };
  }
  const d = index.toData();
  const params: Record<string, number> = {};
  if (d.searchParams.efSearch !== undefined) params.efSearch = d.searchParams.efSearch;
  if (d.searchParams.nprobe !== undefined) params.nprobe = d.searchParams.nprobe;
  return {
    files: { 'index.faiss': d.faiss, 'ids.json': Buffer.from(JSON.stringify(d.labels)) },
    base: { kind: 'dense', dims: d.dim, metric: 'inner_product', factory: d.factory, count: index.count, params },
  };
}

async function writeSynced(file: string, data: Uint8Array | string): Promise<void> {
  const h = await fsp.open(file, 'w');
  try {
    await h.writeFile(data);
    await h.sync();
  } finally {
    await h.close();
  }
}

function makeManifest(base: Pick<IndexManifest, 'kind' | 'dims' | 'metric' | 'factory' | 'count' | 'params'>, encoder: EncoderRef | null, files: Record<string, FileEntry>): IndexManifest {
  const m: Omit<IndexManifest, 'checksum'> = {
    format: INDEX_FORMAT,
    formatVersion: INDEX_FORMAT_VERSION,
    ...base,
    encoder,
    files,
    createdAt: new Date().toISOString(),
  };
  return { ...m, checksum: manifestChecksum(m) };
}

// Writes one index's files and manifest into an existing (temporary) directory.
async function writeInto(dir: string, index: Bm25Index | DenseIndex, encoder: EncoderRef | null): Promise<IndexManifest> {
  const { files, base } = indexFiles(index);
  const entries: Record<string, FileEntry> = {};
  for (const [name, data] of Object.entries(files)) {
    await writeSynced(path.join(dir, name), data);
    entries[name] = { sha256: sha256(data), bytes: data.length };
  }
  const manifest = makeManifest(base, encoder, entries);
  await writeSynced(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export interface SaveOptions {
  /** Required for dense and hybrid indexes: the encoder whose vectors they hold. */
  encoder?: EncoderRef;
}

/**
 * Saves an index to a directory: files plus manifest.json are written into a temporary sibling, synced,
 * then renamed into place, so a reader sees the old index or the complete new one, never a mixture.
 * An existing directory is replaced only when it is an LRAT index (manifest.json with format
 * "lrat-index") or empty; anything else is refused with ForeignDirectoryError (see @lrat/core's directory-swap.ts).
 */
export async function saveIndex(dir: string, index: Bm25Index | DenseIndex | HybridParts, options: SaveOptions = {}): Promise<IndexManifest> {
  const target = path.resolve(dir);
  const isHybrid = !(index instanceof Bm25Index) && !(index instanceof DenseIndex);
  const encoder = options.encoder ?? null;
  if (!(index instanceof Bm25Index) && !encoder) throw new Error(`saveIndex ${dir}: a dense index needs options.encoder (id, version, path)`);
  let manifest: IndexManifest | undefined;
  await replaceDirectory(
    target,
    async (tmp) => {
      if (!isHybrid) {
        manifest = await writeInto(tmp, index as Bm25Index | DenseIndex, index instanceof DenseIndex ? encoder : null);
        return;
      }
      const parts = index as HybridParts;
      const files: Record<string, FileEntry> = {};
      for (const [name, part] of [['bm25', parts.bm25], ['dense', parts.dense]] as const) {
        await fsp.mkdir(path.join(tmp, name));
        await writeInto(path.join(tmp, name), part, part instanceof DenseIndex ? encoder : null);
        const text = await fsp.readFile(path.join(tmp, name, 'manifest.json'));
        files[`${name}/manifest.json`] = { sha256: sha256(text), bytes: text.length };
      }
      manifest = makeManifest(
        { kind: 'hybrid', dims: parts.dense.dim, metric: 'rrf', factory: `rrf(bm25,${parts.dense.factory})`, count: parts.bm25.count, params: { rrfK: parts.rrfK ?? 60, depth: parts.depth ?? 100 } },
        encoder,
        files,
      );
      await writeSynced(path.join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    },
    // Ours only when its manifest says so: a web app's manifest.json is not an index.
    { ownedBy: ownedByManifest('manifest.json', INDEX_FORMAT) },
  );
  return manifest as IndexManifest;
}

/** Reads and verifies manifest.json (format, version, self-checksum). */
export async function readManifest(dir: string): Promise<IndexManifest> {
  const file = path.join(dir, 'manifest.json');
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new IndexLoadError(dir, 'manifest.json is missing (not an LRAT index directory, or an interrupted write)');
    throw new IndexLoadError(dir, `manifest.json: ${(err as Error).message}`);
  }
  let m: IndexManifest;
  try {
    m = JSON.parse(text) as IndexManifest;
  } catch (err) {
    throw new IndexLoadError(dir, `manifest.json is not valid JSON (truncated or corrupt): ${(err as Error).message}`);
  }
  if (typeof m !== 'object' || m === null || m.format !== INDEX_FORMAT) throw new IndexLoadError(dir, `manifest.json: field "format" must be "${INDEX_FORMAT}"`);
  if (m.formatVersion !== INDEX_FORMAT_VERSION) {
    throw new IndexLoadError(dir, `manifest.json: field "formatVersion" is ${m.formatVersion}; this reader understands version ${INDEX_FORMAT_VERSION}`);
  }
  if (m.checksum !== manifestChecksum(m)) throw new IndexLoadError(dir, 'manifest.json: field "checksum" does not match the manifest (edited or corrupt)');
  for (const field of ['kind', 'metric', 'factory'] as const) {
    if (typeof m[field] !== 'string') throw new IndexLoadError(dir, `manifest.json: field "${field}" must be a string`);
  }
  if (!Number.isInteger(m.count) || m.count < 0) throw new IndexLoadError(dir, 'manifest.json: field "count" must be a non-negative integer');
  if (typeof m.files !== 'object' || m.files === null) throw new IndexLoadError(dir, 'manifest.json: field "files" must be an object');
  return m;
}

async function readVerified(dir: string, m: IndexManifest, name: string): Promise<Buffer> {
  const entry = m.files[name];
  if (!entry) throw new IndexLoadError(dir, `manifest.json: field "files" lacks "${name}"`);
  let data: Buffer;
  try {
    data = await fsp.readFile(path.join(dir, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new IndexLoadError(dir, `${name} is missing`);
    throw new IndexLoadError(dir, `${name}: ${(err as Error).message}`);
  }
  if (data.length !== entry.bytes) {
    throw new IndexLoadError(dir, `${name} is ${data.length} bytes but manifest.json records ${entry.bytes} (${data.length < entry.bytes ? 'truncated' : 'extended'})`);
  }
  if (sha256(data) !== entry.sha256) throw new IndexLoadError(dir, `${name}: sha256 does not match manifest.json (corrupt file)`);
  return data;
}

function parseJsonFile<T>(dir: string, name: string, data: Buffer, check: (v: unknown) => v is T, what: string): T {
  let v: unknown;
  try {
    v = JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw new IndexLoadError(dir, `${name} is not valid JSON: ${(err as Error).message}`);
  }
  if (!check(v)) throw new IndexLoadError(dir, `${name} must hold ${what}`);
  return v;
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isLabelArray = (v: unknown): v is (string | null)[] => Array.isArray(v) && v.every((x) => typeof x === 'string' || x === null);

async function loadSingle(dir: string, m: IndexManifest): Promise<Bm25Index | DenseIndex> {
  try {
    if (m.kind === 'bm25') {
      const bin = decodeBm25(await readVerified(dir, m, 'bm25.bin'), 'bm25.bin');
      const docIds = parseJsonFile(dir, 'docids.json', await readVerified(dir, m, 'docids.json'), isStringArray, 'an array of doc id strings');
      const terms = parseJsonFile(dir, 'terms.json', await readVerified(dir, m, 'terms.json'), isStringArray, 'an array of term strings');
      if (docIds.length !== bin.N) throw new IndexLoadError(dir, `docids.json holds ${docIds.length} ids, bm25.bin ${bin.N} documents`);
      if (terms.length !== bin.V) throw new IndexLoadError(dir, `terms.json holds ${terms.length} terms, bm25.bin ${bin.V}`);
      const { k1, b } = m.params;
      if (typeof k1 !== 'number' || typeof b !== 'number') throw new IndexLoadError(dir, 'manifest.json: field "params" must hold numbers k1 and b');
      const index = Bm25Index.fromData({ params: { k1, b }, docIds, terms, termOffsets: bin.termOffsets, postingDocs: bin.postingDocs, postingFreqs: bin.postingFreqs, docLengths: bin.docLengths });
      if (index.count !== m.count) throw new IndexLoadError(dir, `manifest.json says count ${m.count}, the index holds ${index.count} documents`);
      return index;
    }
    if (m.kind === 'dense') {
      if (!Number.isInteger(m.dims) || (m.dims as number) < 1) throw new IndexLoadError(dir, 'manifest.json: field "dims" must be a positive integer');
      const faiss = await readVerified(dir, m, 'index.faiss');
      const labels = parseJsonFile(dir, 'ids.json', await readVerified(dir, m, 'ids.json'), isLabelArray, 'an array of doc ids (null for removed)');
      const searchParams = { efSearch: m.params.efSearch, nprobe: m.params.nprobe };
      const index = DenseIndex.fromData({ dim: m.dims as number, factory: m.factory, faiss, labels, searchParams });
      if (index.count !== m.count) throw new IndexLoadError(dir, `manifest.json says count ${m.count}, the index holds ${index.count} documents`);
      return index;
    }
  } catch (err) {
    if (err instanceof IndexLoadError) throw err;
    throw new IndexLoadError(dir, (err as Error).message);
  }
  throw new IndexLoadError(dir, `manifest.json: field "kind" is "${m.kind}", expected bm25, dense or hybrid`);
}

/** Loads and verifies an index directory: every checksum, size, dimension and count must agree. */
export async function loadIndex(dir: string): Promise<LoadedIndex> {
  // A writer killed between the two renames of a swap left the old index beside the path: put it back.
  await recoverDirectory(dir);
  const m = await readManifest(dir);
  if (m.kind === 'hybrid') {
    const part = async (name: 'bm25' | 'dense') => {
      await readVerified(dir, m, `${name}/manifest.json`);
      const sub = await readManifest(path.join(dir, name));
      if (sub.kind !== name) throw new IndexLoadError(dir, `${name}/manifest.json: kind is ${sub.kind}, expected ${name}`);
      return loadSingle(path.join(dir, name), sub);
    };
    const bm25 = await part('bm25');
    const dense = await part('dense');
    if (!(bm25 instanceof Bm25Index) || !(dense instanceof DenseIndex)) throw new IndexLoadError(dir, 'hybrid parts are not a BM25 and a dense index');
    if (dense.dim !== m.dims) throw new IndexLoadError(dir, `manifest.json says dims ${m.dims}, dense/ holds ${dense.dim}`);
    return { kind: 'hybrid', manifest: m, bm25, dense, rrfK: m.params.rrfK ?? 60, depth: m.params.depth ?? 100 };
  }
  const index = await loadSingle(dir, m);
  if (index instanceof DenseIndex) {
    if (index.dim !== m.dims) throw new IndexLoadError(dir, `manifest.json says dims ${m.dims}, index.faiss holds ${index.dim}`);
    return { kind: 'dense', manifest: m, index };
  }
  return { kind: 'bm25', manifest: m, index };
}
