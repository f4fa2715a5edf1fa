import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'fs';
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { tmpdir } from 'os';
import * as path from 'path';
import { Bm25Index } from './bm25-index';
import { DenseIndex } from './dense-index';
import { randomVectors } from './testing/random-vectors';
import { loadIndex, readManifest, saveIndex, type IndexManifest } from './persistence';

const root = mkdtempSync(path.join(tmpdir(), 'lrat-persist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const encoder = { id: 'hashing', version: 'v1', path: '/models/hashing' };
const dim = 8;
const n = 300;
const ids = Array.from({ length: n }, (_, i) => `d${i}`);
const vectors = randomVectors(n, dim, 7);
const docs = [
  { docid: 'a', title: 'Cats', text: 'cats chase mice' },
  { docid: 'b', text: 'dogs chase cats' },
  { docid: 'c', text: 'sunny weather today' },
];

function rewriteManifest(dir: string, edit: (m: IndexManifest) => void): void {
  const file = path.join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(file, 'utf8')) as IndexManifest;
  edit(m);
  const { checksum: _c, ...rest } = m;
  m.checksum = createHash('sha256').update(JSON.stringify(rest)).digest('hex');
  writeFileSync(file, JSON.stringify(m));
}

describe('saveIndex / loadIndex', () => {
  it.each(['Flat', 'HNSW8,Flat', 'IVF4,Flat', 'IVF2,PQ2x4'])('round-trips a %s dense index with its id map and search params', async (factory) => {
    const index = DenseIndex.fromVectors(ids, vectors, { dim, factory });
    if (factory.startsWith('HNSW')) index.setSearchParams({ efSearch: 40 });
    if (factory.startsWith('IVF')) index.setSearchParams({ nprobe: 4 });
    index.remove(['d5']);
    const dir = path.join(root, `dense-${factory.replace(/,/g, '-')}`);
    const manifest = await saveIndex(dir, index, { encoder });
    expect(manifest).toMatchObject({ kind: 'dense', dims: dim, metric: 'inner_product', factory: index.factory, count: n - 1, encoder, formatVersion: 1 });
    const loaded = await loadIndex(dir);
    if (loaded.kind !== 'dense') throw new Error('expected dense');
    expect(loaded.index.count).toBe(n - 1);
    expect(loaded.index.searchParams).toEqual(index.searchParams);
    const q = vectors.subarray(0, 10 * dim);
    expect(loaded.index.searchBatch(q, 5)).toEqual(index.searchBatch(q, 5));
    expect(loaded.index.has('d5')).toBe(false);
    expect(readdirSync(root).filter((f) => f.startsWith('.'))).toEqual([]); // no temp dirs left behind
  });

  it('round-trips BM25 and replaces an existing index atomically', async () => {
    const dir = path.join(root, 'bm25');
    const first = await saveIndex(dir, Bm25Index.build(docs, { k1: 1.2, b: 0.75 }));
    const loaded = await loadIndex(dir);
    if (loaded.kind !== 'bm25') throw new Error('expected bm25');
    expect(loaded.index.params).toEqual({ k1: 1.2, b: 0.75 });
    expect(loaded.index.search('cat chasing', 3)).toEqual(Bm25Index.build(docs, { k1: 1.2, b: 0.75 }).search('cat chasing', 3));
    const second = await saveIndex(dir, Bm25Index.build(docs.slice(0, 2)));
    expect(second.checksum).not.toBe(first.checksum);
    expect((await readManifest(dir)).count).toBe(2);
  });

  it('round-trips a hybrid index', async () => {
    const dir = path.join(root, 'hybrid');
    const bm25 = Bm25Index.build(ids.map((id) => ({ docid: id, text: `document ${id}` })));
    const dense = DenseIndex.fromVectors(ids, vectors, { dim });
    const m = await saveIndex(dir, { bm25, dense, rrfK: 30 }, { encoder });
    expect(m).toMatchObject({ kind: 'hybrid', metric: 'rrf', dims: dim, params: { rrfK: 30, depth: 100 } });
    const loaded = await loadIndex(dir);
    if (loaded.kind !== 'hybrid') throw new Error('expected hybrid');
    expect(loaded.rrfK).toBe(30);
    expect(loaded.bm25.search('d17', 1)[0].docid).toBe('d17');
  });

  describe('refuses untrustworthy directories with a clear error', () => {
    let dir: string;
    beforeEach(async () => {
      dir = path.join(root, `bad-${Math.random().toString(36).slice(2)}`);
      await saveIndex(dir, DenseIndex.fromVectors(ids, vectors, { dim }), { encoder });
    });

    it('truncated FAISS file', async () => {
      truncateSync(path.join(dir, 'index.faiss'), 100);
      await expect(loadIndex(dir)).rejects.toThrow(/index\.faiss is 100 bytes but manifest\.json records \d+ \(truncated\)/);
    });

    it('corrupt id map (same size, one byte flipped)', async () => {
      const file = path.join(dir, 'ids.json');
      const buf = readFileSync(file);
      buf[10] = buf[10] === 0x31 ? 0x32 : 0x31;
      writeFileSync(file, buf);
      await expect(loadIndex(dir)).rejects.toThrow(/ids\.json: sha256 does not match manifest\.json \(corrupt file\)/);
    });

    it('edited manifest', async () => {
      const file = path.join(dir, 'manifest.json');
      writeFileSync(file, readFileSync(file, 'utf8').replace(`"count": ${n}`, `"count": ${n + 1}`));
      await expect(loadIndex(dir)).rejects.toThrow(/field "checksum" does not match/);
    });

    it('truncated manifest, missing manifest, missing file', async () => {
      const file = path.join(dir, 'manifest.json');
      truncateSync(file, 40);
      await expect(loadIndex(dir)).rejects.toThrow(/manifest\.json is not valid JSON/);
      await expect(loadIndex(path.join(root, 'nowhere'))).rejects.toThrow(/manifest\.json is missing/);
    });

    it('mismatched dimensions or counts, even with consistent checksums', async () => {
      rewriteManifest(dir, (m) => (m.dims = dim * 2));
      await expect(loadIndex(dir)).rejects.toThrow(/FAISS dimension 8 ≠ manifest dim 16/);
      rewriteManifest(dir, (m) => {
        m.dims = dim;
        m.count = 5;
      });
      await expect(loadIndex(dir)).rejects.toThrow(/manifest\.json says count 5, the index holds 300/);
    });

    it('an id map that does not match the FAISS index', async () => {
      const labels = JSON.stringify(ids.slice(0, 10));
      writeFileSync(path.join(dir, 'ids.json'), labels);
      rewriteManifest(dir, (m) => (m.files['ids.json'] = { sha256: createHash('sha256').update(labels).digest('hex'), bytes: Buffer.byteLength(labels) }));
      await expect(loadIndex(dir)).rejects.toThrow(/FAISS holds 300 vectors but the id map 10/);
    });

    it('a newer format version', async () => {
      rewriteManifest(dir, (m) => (m.formatVersion = 2));
      await expect(loadIndex(dir)).rejects.toThrow(/"formatVersion" is 2; this reader understands version 1/);
    });
  });

  it('will not overwrite a directory that is not an index', async () => {
    const dir = path.join(root, 'precious');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'thesis.tex'), 'x');
    await expect(saveIndex(dir, Bm25Index.build(docs))).rejects.toThrow(/refusing to replace/);
    expect(existsSync(path.join(dir, 'thesis.tex'))).toBe(true);
  });

  it('will not overwrite a directory whose manifest.json is not an LRAT index manifest (a web app)', async () => {
    const app = path.join(root, 'app');
    mkdirSync(path.join(app, 'src'), { recursive: true });
    writeFileSync(path.join(app, 'manifest.json'), '{"name":"x"}');
    writeFileSync(path.join(app, 'src', 'main.js'), 'code');
    await expect(saveIndex(app, Bm25Index.build(docs))).rejects.toThrow(/refusing to replace .*app: manifest.json has field "format" missing, not "lrat-index"/);
    expect(readFileSync(path.join(app, 'src', 'main.js'), 'utf8')).toBe('code');
    expect(readdirSync(root).filter((n) => n.startsWith('.app.'))).toEqual([]);
  });

  it('replaces an earlier LRAT index in place', async () => {
    const dir = path.join(root, 'twice');
    await saveIndex(dir, Bm25Index.build(docs));
    await saveIndex(dir, Bm25Index.build(docs.slice(0, 2)));
    expect((await loadIndex(dir)).manifest.count).toBe(2);
    expect(readdirSync(root).filter((n) => n.startsWith('.twice.'))).toEqual([]);
  });

  it('an index stranded by a crash between the two renames of a swap is put back when opened', async () => {
    const dir = path.join(root, 'stranded');
    await saveIndex(dir, Bm25Index.build(docs));
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    renameSync(dir, path.join(root, `.stranded.old-${dead}-0123abcd`));
    const loaded = await loadIndex(dir);
    expect(loaded.manifest.count).toBe(3);
    expect(existsSync(path.join(root, `.stranded.old-${dead}-0123abcd`))).toBe(false);
  });

  it("the next save removes the temp folders a killed writer left (dead PID only), and never anyone else's", async () => {
    const dir = path.join(root, 'crashed');
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    const stale = [`.crashed.tmp-${dead}-0123abcd`, `.crashed.old-${dead}-89abcdef`];
    const kept = [`.crashed.tmp-${process.ppid}-0123abcd`, '.crashed.tmp-notes', `.other.tmp-${dead}-0123abcd`];
    await saveIndex(dir, Bm25Index.build(docs));
    for (const n of [...stale, ...kept]) mkdirSync(path.join(root, n));
    await saveIndex(dir, Bm25Index.build(docs));
    const left = readdirSync(root);
    for (const n of stale) expect(left).not.toContain(n);
    for (const n of kept) expect(left).toContain(n);
    expect((await loadIndex(dir)).manifest.count).toBe(3);
  });
});

