import { Bm25Index, createBm25Searcher } from '@lrat/indexer';
import type { Question } from '@lrat/agents';
import { evaluateRetrieval } from './retrieval-eval';
import type { BasicSearcher } from '@lrat/core';

const docs = [
  { docid: 'a', text: 'apple pie recipe' },
  { docid: 'b', text: 'banana bread recipe' },
  { docid: 'c', text: 'cherry tart' },
];
const q = (id: string, text: string, evidence: string[]): Question => ({ id, text, evidence, metadata: {} });

describe('evaluateRetrieval', () => {
  it('scores an @lrat/indexer BM25 searcher on raw questions with trec_eval metrics', async () => {
    const searcher: BasicSearcher = createBm25Searcher(Bm25Index.build(docs));
    const r = await evaluateRetrieval(searcher, [q('1', 'apple pie', ['a']), q('2', 'recipe for banana', ['b', 'c']), q('3', 'no judgements', [])]);
    expect(r.questions).toBe(2);
    expect(r.perQuestion[0]).toEqual({ questionId: '1', ndcgAt10: 1, recallAt100: 1 });
    // "c" is never retrieved for question 2: recall 1/2; "b" at rank 1 of an ideal of two.
    expect(r.perQuestion[1].recallAt100).toBe(0.5);
    expect(r.perQuestion[1].ndcgAt10).toBeCloseTo(1 / (1 + 1 / Math.log2(3)));
    expect(r.ndcgAt10).toBeCloseTo((1 + r.perQuestion[1].ndcgAt10) / 2);
  });

  it('uses searchBatch when the searcher has one, with the same results', async () => {
    const inner = createBm25Searcher(Bm25Index.build(docs));
    const calls: number[] = [];
    const batched: BasicSearcher = { search: inner.search, searchBatch: async (qs, k) => (calls.push(qs.length), inner.searchBatch(qs, k)) };
    const qs = [q('1', 'apple pie', ['a']), q('2', 'recipe for banana', ['b', 'c']), q('4', 'cherry', ['c'])];
    const a = await evaluateRetrieval(batched, qs, { batchSize: 2 });
    const b = await evaluateRetrieval({ search: inner.search }, qs);
    expect(calls).toEqual([2, 1]);
    expect(a).toEqual(b);
  });
});
