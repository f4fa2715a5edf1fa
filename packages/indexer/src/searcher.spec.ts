import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { Bm25Index } from './bm25-index';
import { DenseIndex } from './dense-index';
import { saveIndex } from './persistence';
import { convexScoreFusion, reciprocalRankFusion } from './rrf';
import { createBm25Searcher, createHybridSearcher, openSearcher } from './searcher';
import { HashingEmbedder } from './testing/hashing-embedder';

const docs = [
  { docid: 'cats', text: 'cats purr and chase mice around the house' },
  { docid: 'dogs', text: 'dogs bark and fetch sticks in the park' },
  { docid: 'rain', text: 'rain falls from grey clouds in autumn' },
  { docid: 'sun', text: 'the sun shines on the park in summer' },
];
const root = mkdtempSync(path.join(tmpdir(), 'lrat-searcher-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

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

describe('convex fusion of normalised scores', () => {
  const a = [{ docid: 'x', score: 9, rank: 1 }, { docid: 'y', score: 7, rank: 2 }, { docid: 'w', score: 5, rank: 3 }];
  const b = [{ docid: 'y', score: 0.9, rank: 1 }, { docid: 'z', score: 0.5, rank: 2 }, { docid: 'x', score: 0.1, rank: 3 }];

  it('min-max normalises each list and weighs them, hand-checked', () => {
    // a → x 1, y 0.5, w 0; b → y 1, z 0.5, x 0. Weights 0.3 / 0.7: y .85, z .35, x .3, w 0.
    const fused = convexScoreFusion([a, b], [0.3, 0.7], 10);
    expect(fused.map((h) => h.docid)).toEqual(['y', 'z', 'x', 'w']);
    expect(fused.map((h) => h.score)).toEqual([0.3 * 0.5 + 0.7, 0.35, 0.3, 0].map((v) => expect.closeTo(v, 12)));
  });

  it('weight 0 on one list ranks by the other alone, and cuts at topK', () => {
    expect(convexScoreFusion([a, b], [1, 0], 2).map((h) => h.docid)).toEqual(['x', 'y']);
    expect(convexScoreFusion([a, b], [0, 1], 2).map((h) => h.docid)).toEqual(['y', 'z']);
  });

  it('a list of one distinct score counts as all best; bad weights are rejected', () => {
    const flat = [{ docid: 'q', score: 2, rank: 1 }, { docid: 'r', score: 2, rank: 2 }];
    expect(convexScoreFusion([flat, []], [0.5, 0.5], 5).map((h) => [h.docid, h.score])).toEqual([['q', 0.5], ['r', 0.5]]);
    expect(() => convexScoreFusion([a, b], [0.5], 5)).toThrow(/2 lists but 1 weights/);
    expect(() => convexScoreFusion([a, b], [-1, 2], 5)).toThrow(/finite and ≥ 0/);
  });

  it('is what createHybridSearcher fuses with when given weights', async () => {
    const bm25 = createBm25Searcher(Bm25Index.build(docs));
    const dense = createBm25Searcher(Bm25Index.build(docs.slice().reverse()));
    const hybrid = createHybridSearcher(dense, bm25, { weights: [0.4, 0.6] });
    const q = 'park sun';
    expect(await hybrid.search(q, 3)).toEqual(convexScoreFusion([await dense.search(q, 100), await bm25.search(q, 100)], [0.4, 0.6], 3));
    expect((await hybrid.searchBatch([q, 'cats'], 3))[0]).toEqual(await hybrid.search(q, 3));
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
