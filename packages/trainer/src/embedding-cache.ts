import { promises as fsp } from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import { writeFileAtomic } from './atomic';

const KEY_BYTES = 32;

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
    for (const name of (await fsp.readdir(cache.dir)).sort()) {
      if (!name.endsWith('.seg')) continue;
      const buf = await fsp.readFile(path.join(cache.dir, name));
      if (buf.length % record !== 0) {
        throw new Error(`${path.join(cache.dir, name)}: ${buf.length} bytes is not a whole number of ${dim}-d records; delete the file`);
      }
      for (let off = 0; off < buf.length; off += record) {
        const key = buf.subarray(off, off + KEY_BYTES).toString('hex');
        const vec = new Float32Array(dim);
        Buffer.from(vec.buffer).set(buf.subarray(off + KEY_BYTES, off + record));
        cache.map.set(key, vec);
      }
    }
    return cache;
  }

  static key(text: string): Buffer {
    return crypto.createHash('sha256').update(text, 'utf8').digest();
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

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const record = KEY_BYTES + this.dim * 4;
    const buf = Buffer.alloc(record * this.pending.length);
    this.pending.forEach(([key, vec], i) => {
      key.copy(buf, i * record);
      Buffer.from(vec.buffer, vec.byteOffset, vec.byteLength).copy(buf, i * record + KEY_BYTES);
    });
    this.pending = [];
    const name = `${Date.now().toString(36).padStart(9, '0')}-${process.pid}-${crypto.randomBytes(4).toString('hex')}.seg`;
    await writeFileAtomic(path.join(this.dir, name), buf);
  }

  /**
   * Embeddings of `texts` (n × dim), computing only the missing ones with `compute` in batches of
   * `batchSize` texts of similar length (the model pads each batch to its longest text), and flushing
   * to disk every `flushEvery` computed texts so an interrupted run keeps its work.
   */
  async getOrCompute(
    texts: string[],
    compute: (batch: string[]) => Promise<Float32Array>,
    options: { batchSize?: number; flushEvery?: number; onProgress?: (p: CacheProgress) => void } = {},
  ): Promise<Float32Array> {
    const batchSize = options.batchSize ?? 32;
    const flushEvery = options.flushEvery ?? 1024;
    const missing = [...new Set(texts.filter((t) => !this.get(t)))].sort((a, b) => a.length - b.length);
    let sinceFlush = 0;
    for (let i = 0; i < missing.length; i += batchSize) {
      const batch = missing.slice(i, i + batchSize);
      const out = await compute(batch);
      batch.forEach((t, j) => this.put(t, out.subarray(j * this.dim, (j + 1) * this.dim)));
      sinceFlush += batch.length;
      if (sinceFlush >= flushEvery) {
        await this.flush();
        sinceFlush = 0;
      }
      options.onProgress?.({ done: Math.min(i + batchSize, missing.length), total: missing.length });
    }
    await this.flush();
    const result = new Float32Array(texts.length * this.dim);
    texts.forEach((t, i) => result.set(this.get(t) as Float32Array, i * this.dim));
    return result;
  }
}
