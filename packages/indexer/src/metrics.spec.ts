import { evaluateRun, parseMetrics, trecEvalOrder } from './metrics';
import type { Qrels } from '@lrat/core';
import type { Run } from './trec';

// Fixture values below were worked out by hand (see the comments), not by running this code.
const qrels: Qrels = new Map([
  ['q1', new Map([['d1', 2], ['d2', 1], ['d3', 0], ['d4', 1]])],
  ['q2', new Map([['d9', 1]])],
  ['q3', new Map([['d7', 0]])], // judged, but nothing relevant
  ['q5', new Map([['d1', 1]])], // not in the run
]);
const run: Run = new Map([
  // trec_eval order: d5 3.0, d1 2.0, then the 1.5 tie by doc id descending: d3 before d2, then d4.
  ['q1', [{ docid: 'd4', score: 0.5 }, { docid: 'd2', score: 1.5 }, { docid: 'd3', score: 1.5 }, { docid: 'd1', score: 2 }, { docid: 'd5', score: 3 }]],
  ['q2', [{ docid: 'd8', score: 1 }]],
  ['q3', [{ docid: 'd7', score: 1 }]],
  ['q4', [{ docid: 'd1', score: 1 }]], // no qrels: ignored
]);

describe('trec_eval semantics', () => {
  it('orders by score, ties by doc id descending, ignoring input order', () => {
    expect(trecEvalOrder(run.get('q1')!).map((e) => e.docid)).toEqual(['d5', 'd1', 'd3', 'd2', 'd4']);
  });

  it('computes per-query metrics equal to the hand-worked values', () => {
    const r = evaluateRun(run, qrels, parseMetrics('ndcg@3,ndcg@5,recall@2,recall@5,p@5,p@10,mrr@10,mrr@1,map,map@2'));
    const q1 = r.perQuery.get('q1')!;
    // ranking gains: 0, 2, 0, 1, 1; ideal 2, 1, 1.  DCG@3 = 2/log2(3); IDCG@3 = 2 + 1/log2(3) + 1/2.
    expect(q1['ndcg@3']).toBeCloseTo(0.4030302838010049, 12);
    // DCG@5 = 2/log2(3) + 1/log2(5) + 1/log2(6)
    expect(q1['ndcg@5']).toBeCloseTo(0.6641442115010364, 12);
    expect(q1['recall@2']).toBeCloseTo(1 / 3, 12);
    expect(q1['recall@5']).toBe(1);
    expect(q1['p@5']).toBeCloseTo(0.6, 12);
    expect(q1['p@10']).toBeCloseTo(0.3, 12); // divides by the cut-off, as trec_eval does
    expect(q1['mrr@10']).toBe(0.5);
    expect(q1['mrr@1']).toBe(0);
    // relevant at ranks 2, 4, 5: (1/2 + 2/4 + 3/5) / 3
    expect(q1.map).toBeCloseTo((0.5 + 0.5 + 0.6) / 3, 12);
    expect(q1['map@2']).toBeCloseTo(0.5 / 3, 12);
    for (const qid of ['q2', 'q3']) for (const v of Object.values(r.perQuery.get(qid)!)) expect(v).toBe(0);
  });

  it('averages over queries present in both, or over all judged queries with complete', () => {
    const m = parseMetrics('recall@5');
    const r = evaluateRun(run, qrels, m);
    expect([...r.perQuery.keys()]).toEqual(['q1', 'q2', 'q3']);
    expect(r.mean['recall@5']).toBeCloseTo(1 / 3, 12);
    const c = evaluateRun(run, qrels, m, { complete: true });
    expect(c.queries).toBe(4);
    expect(c.mean['recall@5']).toBeCloseTo(1 / 4, 12);
  });

  it('uses graded relevance as the nDCG gain and a relevance level for binary metrics', () => {
    const g: Qrels = new Map([['q', new Map([['a', 3], ['b', 1]])]]);
    const r: Run = new Map([['q', [{ docid: 'b', score: 2 }, { docid: 'a', score: 1 }]]]);
    const res = evaluateRun(r, g, parseMetrics('ndcg@2,recall@1'), { relevanceLevel: 2 });
    // DCG = 1 + 3/log2(3); IDCG = 3 + 1/log2(3)
    expect(res.mean['ndcg@2']).toBeCloseTo((1 + 3 / Math.log2(3)) / (3 + 1 / Math.log2(3)), 12);
    expect(res.mean['recall@1']).toBe(0); // only "a" reaches level 2, and it is at rank 2
  });

  it('parses metric lists and rejects unknown ones', () => {
    expect(parseMetrics('NDCG@10, recall@100,P.5,recip_rank,map').map((m) => m.label)).toEqual(['ndcg@10', 'recall@100', 'p@5', 'mrr', 'map']);
    expect(() => parseMetrics('bleu@4')).toThrow(/unknown metric "bleu@4"/);
    expect(() => parseMetrics('p')).toThrow(/cut-off/);
  });
});
