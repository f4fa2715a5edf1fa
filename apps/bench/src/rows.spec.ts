import type { Agent } from '@lrat/agents';
import type { QuestionResult } from '@lrat/evaluation';
import type { Collected } from './collect';
import { aggregateRuns, differences, retrievalDifferences, runRow, RAW_QUESTIONS } from './rows';
import { weightDistribution } from './pipeline';
import { goalNotes } from './jobs/in-domain';

const agent: Agent = { name: 'simulated:careful', simulated: true, run: async () => { throw new Error('not run'); } };

function collected(retriever: string, recalls: number[], successes: boolean[], steps: number[]): Collected {
  const results: QuestionResult[] = recalls.map((r, i) => ({
    questionId: `q${i}`, agent: agent.name, retriever, split: 'test', success: successes[i], exactMatch: successes[i], f1: successes[i] ? 1 : 0,
    finalAnswer: 'x', goldAnswer: 'x', judge: 'em', searches: steps[i] - 1, browses: 1, steps: steps[i], evidenceRecall: r, evidenceBrowsed: r,
  }));
  return { agent, retriever, split: 'test', run: { trajectories: [], results, errors: [] } };
}

describe('report rows from agent runs', () => {
  const base = collected('base', [0, 0.5, 0.5, 1], [false, false, true, true], [10, 12, 8, 6]);
  const lrat = collected('lrat', [0.5, 1, 0.5, 1], [false, true, true, true], [8, 6, 8, 6]);

  it('averages a run and labels how it was produced', () => {
    const row = runRow(lrat, 'mw', true, 0.4, 'how');
    expect(row).toMatchObject({ agent: 'simulated:careful', retriever: 'lrat', split: 'test', questions: 4, evidence_recall: 0.75, success: 0.75, steps: 7, search_calls: 6, browse_calls: 1, ndcg_at_10: 0.4, simulated: true, how: 'how' });
    expect(runRow(lrat, 'scifact', false, null, 'h').success).toBeNull();
  });

  it('pairs by question with bootstrap intervals, skipping success without answers', () => {
    const d = differences([{ seed: 1, tested: [base, lrat] }], 'base', 'lrat', 'mw', true, 500);
    expect(d.map((x) => x.metric)).toEqual(['evidence_recall', 'success', 'f1', 'steps']);
    expect(d[0]).toMatchObject({ baseline: 'base', treatment: 'lrat', before: 0.5, after: 0.75, questions: 4, resamples: 500 });
    expect(d[0].delta).toBeCloseTo(0.25);
    expect(d[0].relative).toBeCloseTo(0.5);
    expect(d[0].ci95[0]).toBeLessThanOrEqual(d[0].delta);
    expect(d[0].ci95[1]).toBeGreaterThanOrEqual(d[0].delta);
    expect(d[3].delta).toBeCloseTo(-2);
    // Holm: the adjusted p-values are at least the raw ones and monotone in them.
    for (const x of d) expect(x.p_holm).toBeGreaterThanOrEqual(x.p_value ?? 0);
    expect(differences([{ seed: 1, tested: [base, lrat] }], 'base', 'lrat', 'sf', false, 100).map((x) => x.metric)).toEqual(['evidence_recall', 'steps']);
  });

  it('pairs raw-question retrieval scores by question id within each seed, questions one side lacks left out', () => {
    const scores = (ndcg: number[], ids = ndcg.map((_, i) => `q${i}`)) => ndcg.map((x, i) => ({ questionId: ids[i], ndcgAt10: x, recallAt100: x > 0 ? 1 : 0 }));
    const seed1 = { seed: 1, byRetriever: new Map([['base', scores([0, 0.2, 0.4, 0.6])], ['lrat', scores([0.6, 0.1, 0.3, 0.5], ['q3', 'q0', 'q1', 'q2'])]]) };
    // Seed 2 lacks q1 on the treatment side: only q0 pairs.
    const seed2 = { seed: 2, byRetriever: new Map([['base', scores([0.5, 0.5])], ['lrat', scores([0.4])]]) };
    const d = retrievalDifferences([seed1, seed2], 'base', 'lrat', 'mw', 400);
    expect(d.map((x) => [x.agent, x.metric])).toEqual([[RAW_QUESTIONS, 'ndcg_at_10'], [RAW_QUESTIONS, 'recall_at_100']]);
    // Pairs (before → after): 0 → 0.1, 0.2 → 0.3, 0.4 → 0.5, 0.6 → 0.6, 0.5 → 0.4.
    expect(d[0]).toMatchObject({ baseline: 'base', treatment: 'lrat', questions: 5, seeds: [1, 2], split: 'test' });
    expect(d[0].before).toBeCloseTo(1.7 / 5);
    expect(d[0].delta).toBeCloseTo(0.2 / 5);
    expect(d[1].delta).toBeCloseTo(0.2);
    for (const x of d) expect(x.p_holm).toBeGreaterThanOrEqual(x.p_value ?? 0);
    expect(retrievalDifferences([seed1], 'base', 'missing', 'mw', 100)).toEqual([]);
  });

  it('pools seeds: questions paired within each seed, every seed listed', () => {
    const d = differences([{ seed: 1, tested: [base, lrat] }, { seed: 2, tested: [base, lrat] }], 'base', 'lrat', 'mw', true, 300);
    expect(d[0]).toMatchObject({ seeds: [1, 2], questions: 8, before: 0.5, after: 0.75 });
  });

  it('aggregates runs over seeds: mean ± sd and a bootstrap CI from the per-question results', () => {
    const r1 = { ...runRow(base, 'mw', true, 0.4, 'h', undefined, 1) };
    const r2 = { ...runRow(lrat, 'mw', true, 0.5, 'h', undefined, 2), retriever: 'base' };
    const results = [...base.run.results.map((q) => ({ ...q, seed: 1 })), ...lrat.run.results.map((q) => ({ ...q, retriever: 'base', seed: 2 }))];
    const agg = aggregateRuns([r1, r2], results, 200);
    const er = agg.find((a) => a.metric === 'evidence_recall');
    expect(er).toMatchObject({ agent: 'simulated:careful', retriever: 'base', seeds: 2, mean: 0.625 });
    expect(er?.sd).toBeCloseTo(Math.sqrt(2 * 0.125 ** 2));
    expect(er?.ci95?.[0]).toBeLessThanOrEqual(0.625);
    expect(er?.ci95?.[1]).toBeGreaterThanOrEqual(0.625);
    const nd = agg.find((a) => a.metric === 'ndcg_at_10');
    expect(nd?.mean).toBeCloseTo(0.45);
    expect(nd?.ci95).toBeUndefined();
  });

  it('states whether the issue goal was met', () => {
    expect(goalNotes([base], [lrat])[0]).toMatch(/: met — evidence recall 0\.500 → 0\.750 \(\+50\.0 %\)/);
    expect(goalNotes([lrat], [base])[0]).toMatch(/NOT met/);
  });

  it('histograms the sample weights with β the median positive reasoning length', () => {
    const s = (len: number, w: number) => ({ query: '', pos: [], neg: [], pos_id: [], neg_id: [], reasoning_len: len, satisfied: true, reweight_rate: w });
    const w = weightDistribution('x', [s(0, 1), s(10, 0.5), s(20, 1), s(30, 1.5)], 2);
    expect(w).toMatchObject({ samples: 4, halfLife: 20, min: 0.5, max: 1.5, mean: 1 });
    expect(w.bins.map((b) => b.count)).toEqual([1, 3]);
  });
});
