import type { Question } from '@lrat/agents';
import type { BasicSearcher as Searcher, Hit as SearchHit } from '@lrat/core';
import { FUSION_WEIGHT_GRID, hybridSearcher, tuneFusionWeight } from './stack-common';

// Fusion weights are chosen on the questions given (the training questions in every job): a test
// with two scripted searchers whose quality is known per question.

const docs = Array.from({ length: 30 }, (_, i) => `d${i}`);
const questions: Question[] = Array.from({ length: 12 }, (_, i) => ({ id: `q${i}`, text: `question ${i}`, evidence: [`d${i}`], metadata: {} }));

/**
 * Ranks the gold doc of question i at `goldRank(i)` (1-based) among a fixed list of 30, scores
 * descending; `own` puts a doc only this searcher returns first.
 */
function scripted(goldRank: (i: number) => number, own?: string): Searcher & { calls: number } {
  const s = {
    calls: 0,
    async search(query: string, k: number): Promise<SearchHit[]> {
      s.calls++;
      const i = Number(query.split(' ')[1]);
      const others = [...(own ? [`${own}${i}`] : []), ...docs.filter((d) => d !== `d${i}`)];
      const order = [...others.slice(0, goldRank(i) - 1), `d${i}`, ...others.slice(goldRank(i) - 1)];
      return order.slice(0, k).map((docid, r) => ({ docid, score: 100 - r, rank: r + 1 }));
    },
  };
  return s;
}

describe('tuneFusionWeight', () => {
  it('leans on BM25 when BM25 finds every gold doc first and the dense side buries them', async () => {
    const bm25 = scripted(() => 1);
    const dense = scripted(() => 25);
    const t = await tuneFusionWeight(bm25, dense, questions);
    expect(t.grid.map((g) => g.denseWeight)).toEqual(FUSION_WEIGHT_GRID);
    expect(t.tuningNdcg).toBeCloseTo(1, 12);
    // Ties go to the smallest dense weight: 0 = BM25 alone.
    expect(t.denseWeight).toBe(0);
    expect(t.grid[t.grid.length - 1].ndcg).toBeLessThan(0.5);
    // Each part is searched once per question, however many weights are tried.
    expect([bm25.calls, dense.calls]).toEqual([questions.length, questions.length]);
  });

  it('picks a mixed weight when the two sides agree on the gold doc but not on their top hit', async () => {
    // Both rank the gold doc second, each under a doc only it returns: only a mix puts gold first.
    const bm25 = scripted(() => 2, 'bm25-only-');
    const dense = scripted(() => 2, 'dense-only-');
    const t = await tuneFusionWeight(bm25, dense, questions);
    const at = (w: number) => t.grid.find((g) => g.denseWeight === w)?.ndcg ?? NaN;
    expect(t.tuningNdcg).toBeGreaterThan(at(0));
    expect(t.tuningNdcg).toBeGreaterThan(at(1));
    expect(t.denseWeight).toBeGreaterThan(0);
    expect(t.denseWeight).toBeLessThan(1);
    // The chosen searcher is the plain hybrid at that weight.
    expect(t.tuningNdcg).toBeCloseTo(1, 12);
    const fused = await hybridSearcher(bm25, dense, t.denseWeight).search('question 1', 3);
    expect(fused[0].docid).toBe('d1');
  });

  it('refuses to tune on no questions', async () => {
    await expect(tuneFusionWeight(scripted(() => 1), scripted(() => 1), [])).rejects.toThrow(/no training questions/);
  });
});
