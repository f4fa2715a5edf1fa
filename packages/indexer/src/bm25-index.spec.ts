import * as path from 'path';
import { loadCorpus, loadQueries, readQrels } from '@lrat/core';
import { Bm25Index } from './bm25-index';
import { evaluateRun, parseMetrics } from './metrics';
import type { Run } from './trec';

describe('Bm25Index', () => {
  const docs = [
    { docid: 'a', text: 'cats chase mice' },
    { docid: 'b', title: 'Dogs', text: 'dogs chase cats and cats run' },
    { docid: 'c', text: 'the weather is sunny' },
  ];

  it('scores like Lucene BM25 (k1 0.9, b 0.4) on a hand-checked example', () => {
    const idx = Bm25Index.build(docs);
    // Analyzed lengths: a = [cat, chase, mice] 3; b = [dog, dog, chase, cat, cat, run] 6; c = [weather, sunni] 2.
    expect(Array.from(idx.data.docLengths)).toEqual([3, 6, 2]);
    const avgdl = 11 / 3;
    const idf = Math.log(1 + (3 - 2 + 0.5) / (2 + 0.5)); // "cat" is in 2 of 3 docs
    const s = (tf: number, dl: number) => (idf * tf) / (tf + 0.9 * (1 - 0.4 + (0.4 * dl) / avgdl));
    const hits = idx.search('cat', 10);
    expect(hits.map((h) => h.docid)).toEqual(['b', 'a']);
    expect(hits[0].score).toBeCloseTo(s(2, 6), 10);
    expect(hits[1].score).toBeCloseTo(s(1, 3), 10);
    expect(hits.map((h) => h.rank)).toEqual([1, 2]);
  });

  it('weights repeated query terms, finds nothing for stopwords or unknown words, caps k', () => {
    const idx = Bm25Index.build(docs);
    const once = idx.search('mice dogs', 3);
    const twice = idx.search('mice mice dogs', 3);
    expect(twice[0].score).toBeGreaterThan(once[0].score - 1e-12);
    expect(twice.find((h) => h.docid === 'a')!.score).toBeCloseTo(2 * once.find((h) => h.docid === 'a')!.score, 10);
    expect(idx.search('the and of', 10)).toEqual([]);
    expect(idx.search('zebra', 10)).toEqual([]);
    expect(idx.search('chase', 1)).toHaveLength(1);
    expect(() => idx.search('x', 0)).toThrow(/k must be/);
  });

  it('breaks score ties by doc id and refuses duplicate ids', () => {
    const idx = Bm25Index.build([{ docid: 'z', text: 'apple' }, { docid: 'm', text: 'apple' }, { docid: 'q', text: 'pear' }]);
    expect(idx.search('apple', 5).map((h) => h.docid)).toEqual(['m', 'z']);
    expect(() => Bm25Index.build([{ docid: 'x', text: 'a' }, { docid: 'x', text: 'b' }])).toThrow(/duplicate document id "x"/);
  });

  it("reaches Anserini's BM25-flat numbers on SciFact (300 test queries)", async () => {
    const root = path.resolve(__dirname, '../../../data/scifact');
    const index = Bm25Index.build(await loadCorpus(path.join(root, 'corpus.jsonl')));
    const qrels = await readQrels(path.join(root, 'qrels/test.tsv'));
    const queries = (await loadQueries(path.join(root, 'queries.jsonl'))).filter((q) => qrels.has(q.id));
    expect(queries).toHaveLength(300);
    const run: Run = new Map(queries.map((q) => [q.id, index.search(q.text, 1000)]));
    const { mean, queries: n } = evaluateRun(run, qrels, parseMetrics('ndcg@10,recall@100'));
    expect(n).toBe(300);
    // Anserini BM25 flat (Lucene, k1=0.9, b=0.4), BEIR SciFact: nDCG@10 0.6789, R@100 0.9253.
    expect(Math.abs(mean['ndcg@10'] - 0.6789)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(mean['recall@100'] - 0.9253)).toBeLessThanOrEqual(0.01);
  });
});
