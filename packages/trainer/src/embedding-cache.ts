import { promises as fsp } from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import { writeFileAtomic, writeFileAtomicSync } from '@lrat/core';

const KEY_BYTES = 32;
/** Fewer new embeddings than this stay in memory after a lookup (searches embed one query at a time). */
const MIN_SEGMENT = 256;
/** More segment files than this are merged into one when the cache is opened. */
const MAX_SEGMENTS = 32;

// Embeddings still in memory are written when the process exits, so small lookups coalesce into one
// segment per run instead of one file each.
const openCaches = new Set<EmbeddingCache>();
let exitHookInstalled = false;
function flushAtExit(cache: EmbeddingCache): void {
  openCaches.add(cache);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of openCaches) c.flushSync();
  });
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return env.LRAT_CACHE_DIR ? path.resolve(env.LRAT_CACHE_DIR) : path.join(cwd, '.lrat-cache');
}

export interface CacheProgress {
  done: number;
  total: number;
}

/**
 * Disk cache of base-model embeddings keyed by sha256(text), one folder per model version. Each
 * flush appends a new segment file (written atomically under a unique name), so concurrent writers
 * and interrupted runs never corrupt it; a re-run picks up every segment already written.
 * Segment record: 32-byte key, then dim float32 values.
 */
export class EmbeddingCache {
  private readonly map = new Map<string, Float32Array>();
  private pending: Array<[Buffer, Float32Array]> = [];

  private constructor(
    readonly dir: string,
    readonly dim: number,
  ) {}

  static async open(root: string, modelVersion: string, dim: number): Promise<EmbeddingCache> {
    const cache = new EmbeddingCache(path.join(root, modelVersion), dim);
    await fsp.mkdir(cache.dir, { recursive: true });
    const record = KEY_BYTES + dim * 4;
    const segments: string[] = [];
    // Another process compacting this folder removes the segments it merged, after writing the merged
    // one: a segment that vanishes between listing and reading is in a newer file, so list again.
    for (let vanished = true; vanished; ) {
      vanished = false;
      const listed = (await fsp.readdir(cache.dir)).filter((name) => name.endsWith('.seg') && !segments.includes(name)).sort();
      for (const name of listed) {
        const buf = await fsp.readFile(path.join(cache.dir, name)).catch((e: NodeJS.ErrnoException) => {
          if (e.code === 'ENOENT') return null;
          throw e;
        });
        if (!buf) {
          vanished = true;
          continue;
        }
        if (buf.length % record !== 0) {
          throw new Error(`${path.join(cache.dir, name)}: ${buf.length} bytes is not a whole number of ${dim}-d records; delete the file`);
        }
        for (let off = 0; off < buf.length; off += record) {
          const key = buf.subarray(off, off + KEY_BYTES).toString('hex');
          const vec = new Float32Array(dim);
          Buffer.from(vec.buffer).set(buf.subarray(off + KEY_BYTES, off + record));
          cache.map.set(key, vec);
        }
        segments.push(name);
      }
    }
    if (segments.length > MAX_SEGMENTS) await cache.compact(segments);
    flushAtExit(cache);
    return cache;
  }

  /**
   * Merges the segments read at open into one. The merged file is complete before any old segment is
   * removed, and segments written meanwhile by other processes are not touched.
   */
  private async compact(segments: string[]): Promise<void> {
    await writeFileAtomic(path.join(this.dir, this.segmentName()), this.encode([...this.map].map(([hex, vec]) => [Buffer.from(hex, 'hex'), vec])));
    await Promise.all(segments.map((name) => fsp.rm(path.join(this.dir, name), { force: true })));
  }

  private segmentName(): string {
    return `${Date.now().toString(36).padStart(9, '0')}-${process.pid}-${crypto.randomBytes(4).toString('hex')}.seg`;
  }

  private encode(entries: Array<[Buffer, Float32Array]>): Buffer {
    const record = KEY_BYTES + this.dim * 4;
    const buf = Buffer.alloc(record * entries.length);
    entries.forEach(([key, vec], i) => {
      key.copy(buf, i * record);
      Buffer.from(vec.buffer, vec.byteOffset, vec.byteLength).copy(buf, i * record + KEY_BYTES);
    });
    return buf;
  }

  static key(text: string): Buffer {
    return crypto.createHash('sha256').update(text, 'utf8').digest();
  }

  /** The distinct texts of `texts` not in the cache yet. */
  missing(texts: string[]): string[] {
    return [...new Set(texts.filter((t) => !this.get(t)))];
  }

  get size(): number {
    return this.map.size;
  }

  get(text: string): Float32Array | undefined {
    return this.map.get(EmbeddingCache.key(text).toString('hex'));
  }

  put(text: string, vec: Float32Array): void {
    const key = EmbeddingCache.key(text);
    const hex = key.toString('hex');
    if (this.map.has(hex)) return;
    const copy = Float32Array.from(vec);
    this.map.set(hex, copy);
    this.pending.push([key, copy]);
  }

  /** Number of embeddings computed but not yet on disk. */
  get unflushed(): number {
    return this.pending.length;
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const buf = this.encode(this.pending);
    this.pending = [];
    await writeFileAtomic(path.join(this.dir, this.segmentName()), buf);
  }

  /** Synchronous flush, for the exit hook (no asynchronous work can run there). */
  flushSync(): void {
    if (this.pending.length === 0) return;
    writeFileAtomicSync(path.join(this.dir, this.segmentName()), this.encode(this.pending));
    this.pending = [];
  }

  /**
   * Embeddings of `texts` (n × dim), computing only the missing ones with `compute` in batches of
   * `batchSize` texts of similar length (the model pads each batch to its longest text), and flushing
   * to disk every `flushEvery` computed texts so an interrupted run keeps its work. Fewer than
   * MIN_SEGMENT new embeddings wait in memory for a later flush or the process's exit.
   */
  async getOrCompute(
    texts: string[],
    compute: (batch: string[]) => Promise<Float32Array>,
    options: { batchSize?: number; flushEvery?: number; concurrency?: number; onProgress?: (p: CacheProgress) => void } = {},
  ): Promise<Float32Array> {
    const batchSize = options.batchSize ?? 32;
    const flushEvery = options.flushEvery ?? 1024;
    const concurrency = Math.max(1, options.concurrency ?? 1);
    const missing = this.missing(texts).sort((a, b) => a.length - b.length);
    let sinceFlush = 0;
    let done = 0;
    let next = 0;
    // Up to `concurrency` batches in flight (a worker pool computes them in parallel); each result
    // goes into the cache as it arrives, so the order of completion does not matter.
    const runOne = async (): Promise<void> => {
      while (next < missing.length) {
        const batch = missing.slice(next, next + batchSize);
        next += batch.length;
        const out = await compute(batch);
        batch.forEach((t, j) => this.put(t, out.subarray(j * this.dim, (j + 1) * this.dim)));
        sinceFlush += batch.length;
        done += batch.length;
        if (sinceFlush >= flushEvery) {
          sinceFlush = 0;
          await this.flush();
        }
        options.onProgress?.({ done, total: missing.length });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, runOne));
    if (this.pending.length >= MIN_SEGMENT) await this.flush();
    const result = new Float32Array(texts.length * this.dim);
    texts.forEach((t, i) => result.set(this.get(t) as Float32Array, i * this.dim));
    return result;
  }
}
