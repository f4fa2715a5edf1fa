import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EmbeddingCache } from './embedding-cache';

const dim = 4;
const vec = (x: number) => new Float32Array([x, x + 1, x + 2, x + 3]);
const segments = async (dir: string) => (await fsp.readdir(dir)).filter((f) => f.endsWith('.seg'));

describe('EmbeddingCache', () => {
  let root: string;
  beforeEach(async () => {
    root = await fsp.mkdtemp(path.join(os.tmpdir(), 'emb-cache-'));
  });
  afterEach(() => fsp.rm(root, { recursive: true, force: true }));

  it('coalesces many one-text lookups into a single segment instead of a file each', async () => {
    const cache = await EmbeddingCache.open(root, 'v1', dim);
    for (let i = 0; i < 50; i++) await cache.getOrCompute([`query ${i}`], async () => vec(i));
    expect(await segments(cache.dir)).toHaveLength(0);
    expect(cache.unflushed).toBe(50);
    cache.flushSync();
    expect(await segments(cache.dir)).toHaveLength(1);
    const reopened = await EmbeddingCache.open(root, 'v1', dim);
    expect(reopened.size).toBe(50);
    expect(Array.from(reopened.get('query 7') as Float32Array)).toEqual([7, 8, 9, 10]);
  });

  it('merges a fragmented cache into one segment when opened, keeping every embedding', async () => {
    const first = await EmbeddingCache.open(root, 'v1', dim);
    for (let i = 0; i < 40; i++) {
      first.put(`text ${i}`, vec(i));
      await first.flush();
    }
    expect(await segments(first.dir)).toHaveLength(40);
    const merged = await EmbeddingCache.open(root, 'v1', dim);
    expect(await segments(merged.dir)).toHaveLength(1);
    expect(merged.size).toBe(40);
    const again = await EmbeddingCache.open(root, 'v1', dim);
    expect(Array.from(again.get('text 39') as Float32Array)).toEqual([39, 40, 41, 42]);
  });

  it('reads what another process compacted away from under it (its segments vanish between listing and reading)', async () => {
    const first = await EmbeddingCache.open(root, 'v1', dim);
    for (let i = 0; i < 5; i++) {
      first.put(`text ${i}`, vec(i));
      await first.flush();
    }
    const dir = first.dir;
    const realRead = fsp.readFile.bind(fsp);
    let foreignCompaction = true;
    // The first read finds the other process just done: every segment merged into a new one, the old ones removed.
    const spy = jest.spyOn(fsp, 'readFile').mockImplementation(async (file, ...rest) => {
      if (foreignCompaction) {
        foreignCompaction = false;
        const names = (await segments(dir)).sort();
        const merged = Buffer.concat(await Promise.all(names.map((n) => realRead(path.join(dir, n)))));
        await fsp.writeFile(path.join(dir, 'zzzzzzzzz-merged.seg'), merged);
        await Promise.all(names.map((n) => fsp.rm(path.join(dir, n))));
      }
      return realRead(file as string, ...(rest as []));
    });
    try {
      const opened = await EmbeddingCache.open(root, 'v1', dim);
      expect(opened.size).toBe(5);
      expect(Array.from(opened.get('text 4') as Float32Array)).toEqual([4, 5, 6, 7]);
    } finally {
      spy.mockRestore();
    }
  });

  it('writes a batch as large as a segment straight away', async () => {
    const cache = await EmbeddingCache.open(root, 'v1', dim);
    const texts = Array.from({ length: 300 }, (_, i) => `doc ${i}`);
    await cache.getOrCompute(texts, async (batch) => {
      const out = new Float32Array(batch.length * dim);
      batch.forEach((t, j) => out.set(vec(Number(t.slice(4))), j * dim));
      return out;
    });
    expect(cache.unflushed).toBe(0);
    expect((await EmbeddingCache.open(root, 'v1', dim)).size).toBe(300);
  });
});

describe('EmbeddingCache with concurrent batches', () => {
  it('fills every text once whatever order the batches complete in', async () => {
    const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'emb-cache-'));
    const cache = await EmbeddingCache.open(root, 'v1', dim);
    const texts = Array.from({ length: 100 }, (_, i) => `t${String(i).padStart(3, '0')}`);
    const calls: string[][] = [];
    const out = await cache.getOrCompute(
      [...texts, ...texts.slice(0, 10)],
      async (batch) => {
        calls.push(batch);
        // Later batches finish first.
        await new Promise((r) => setTimeout(r, 20 - calls.length));
        const v = new Float32Array(batch.length * dim);
        batch.forEach((t, j) => v.set(vec(Number(t.slice(1))), j * dim));
        return v;
      },
      { batchSize: 7, concurrency: 4 },
    );
    expect(calls.flat().sort()).toEqual(texts);
    expect(Array.from(out.subarray(42 * dim, 43 * dim))).toEqual([42, 43, 44, 45]);
    expect(Array.from(out.subarray(105 * dim, 106 * dim))).toEqual([5, 6, 7, 8]);
    await fsp.rm(root, { recursive: true, force: true });
  });
});
