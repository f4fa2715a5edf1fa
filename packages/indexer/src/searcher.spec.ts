import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { Bm25Index } from './bm25-index';
import { DenseIndex } from './dense-index';
import { saveIndex } from './persistence';
import { reciprocalRankFusion } from './rrf';
import { createBm25Searcher, createHybridSearcher, openSearcher } from './searcher';
import { HashingEmbedder } from './testing/hashing-embedder';

const docs = [
  { docid: 'cats', text: 'cats purr and chase mice around the house' },
  { docid: 'dogs', text: 'dogs bark and fetch sticks in the park' },
  { docid: 'rain', text: 'rain falls from grey clouds in autumn' },
  { docid: 'sun', text: 'the sun shines on the park in summer' },
];
const root = mkdtempSync(path.join(tmpdir(), 'lrat-searcher-'));

describe('reciprocal-rank fusion', () => {
  it('adds 1/(k + rank) over the lists, hand-checked', () => {
    const a = [{ docid: 'x', score: 9, rank: 1 }, { docid: 'y', score: 8, rank: 2 }];
    const b = [{ docid: 'y', score: 0.9, rank: 1 }, { docid: 'z', score: 0.1, rank: 2 }];
    const fused = reciprocalRankFusion([a, b], 10, 60);
    expect(fused.map((h) => h.docid)).toEqual(['y', 'x', 'z']);
    expect(fused[0].score).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(fused[1].score).toBeCloseTo(1 / 61, 12);
    expect(fused[2]).toEqual({ docid: 'z', score: 1 / 62, rank: 3 });
  });
});

describe('openSearcher', () => {
  const embedder = new HashingEmbedder(32);
  const encoder = { id: embedder.id, version: embedder.version, path: '/models/hashing' };

  it('opens BM25, dense and hybrid directories and searches them', async () => {
    await saveIndex(path.join(root, 'bm25'), Bm25Index.build(docs));
    const dense = await DenseIndex.build(docs, embedder);
    await saveIndex(path.join(root, 'dense'), dense, { encoder });
    await saveIndex(path.join(root, 'hybrid'), { bm25: Bm25Index.build(docs), dense }, { encoder });
    const loadEmbedder = jest.fn(async () => embedder);
    for (const kind of ['bm25', 'dense', 'hybrid'] as const) {
      const s = await openSearcher(path.join(root, kind), { loadEmbedder });
      expect(s.kind).toBe(kind);
      expect(s.version).toMatch(/^[0-9a-f]{64}$/);
      const [top] = await s.search('dogs fetch sticks', 2);
      expect(top.docid).toBe('dogs');
      const batch = await s.searchBatch(['rain clouds', 'cats mice'], 1);
      expect(batch.map((hits) => hits[0].docid)).toEqual(['rain', 'cats']);
    }
    expect(loadEmbedder).toHaveBeenCalledWith(encoder);
  });

  it('refuses a dense index without an encoder or with a different one', async () => {
    const dir = path.join(root, 'dense');
    await expect(openSearcher(dir)).rejects.toThrow(/is dense \(encoder hashing@v1-d32 at \/models\/hashing\): pass loadEmbedder/);
    const other = new HashingEmbedder(32, { version: 'v2' });
    await expect(openSearcher(dir, { loadEmbedder: async () => other })).rejects.toThrow(/built with encoder hashing@v1-d32, but \/models\/hashing now loads hashing@v2/);
  });

  it('fuses in-memory searchers', async () => {
    const bm25 = createBm25Searcher(Bm25Index.build(docs));
    const hybrid = createHybridSearcher(bm25, bm25, { k: 60 });
    const hits = await hybrid.search('sun park', 4);
    expect(hits[0].docid).toBe('sun');
    expect(hits[0].score).toBeCloseTo(2 / 61, 12);
  });
});
