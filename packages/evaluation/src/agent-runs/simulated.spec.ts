import * as path from 'path';
import { createSearchTool, type DocumentStore } from '@lrat/trajectory';
import { createSimulatedAgent, type Question } from '@lrat/agents';
import { loadBm25Fixture } from '@lrat/agents/testing';
import type { BasicSearcher } from '@lrat/core';
import { RankShiftSearcher } from '../testing/rank-shift-searcher';
import { runAgent } from '../run-agent';
import { summarize } from '../metrics';
import { calibrationStats } from '../calibration';

// The simulated agent run through runAgent and measured: reasoning after evidence, answers, and its
// sensitivity to retrieval quality (its determinism and profiles are tested in @lrat/agents).
const MULTIHOP = path.resolve(__dirname, '../../../../data/multihop-wiki');
// The rule judge's NOT_RELEVANT phrases (miners' offline judge).
const REJECT = /not relevant|irrelevant|does not mention|no information about|unrelated/i;

let questions: Question[];
let documents: DocumentStore;
let bm25: BasicSearcher;

beforeAll(async () => {
  ({ questions, documents, bm25 } = await loadBm25Fixture(MULTIHOP, { seed: 5, testSize: 60 }));
});

describe('simulated agent', () => {
  it('rejects useless docs in words the rule judge reads as NOT_RELEVANT, and writes longer reasoning after evidence', async () => {
    const tool = createSearchTool({ searcher: bm25, documents });
    const agent = createSimulatedAgent({ profile: 'careful', documents });
    const run = await runAgent({ agent, questions: questions.slice(0, 30), tool, seed: 1, retriever: 'bm25' });
    let goldAccepted = 0;
    let nonGoldRejected = 0;
    let nonGold = 0;
    run.trajectories.forEach((t, qi) => {
      const gold = new Set(questions[qi].evidence);
      t.steps.forEach((s, i) => {
        if (s.type !== 'browse') return;
        const next = t.steps[i + 1];
        const text = next.type === 'reasoning' ? next.text : '';
        if (gold.has(s.docid) && !REJECT.test(text)) goldAccepted++;
        if (!gold.has(s.docid)) {
          nonGold++;
          if (REJECT.test(text)) nonGoldRejected++;
        }
      });
    });
    expect(goldAccepted).toBeGreaterThan(20);
    expect(nonGoldRejected / nonGold).toBeGreaterThan(0.85);
    const cal = calibrationStats(run.trajectories.map((t, i) => ({ trajectory: t, success: run.results[i].success, evidence: questions[i].evidence })));
    expect(cal.reasoningTokensAfterEvidence).toBeGreaterThan(2 * cal.reasoningTokensAfterNonEvidence);
  });

  it('answers with the gold answer exactly when it holds all evidence', async () => {
    const tool = createSearchTool({ searcher: bm25, documents });
    const run = await runAgent({ agent: createSimulatedAgent({ profile: 'greedy', documents }), questions: questions.slice(0, 30), tool, seed: 2, retriever: 'bm25' });
    for (const t of run.trajectories) {
      const m = t.metadata as { evidenceHeld: number; evidenceTotal: number };
      if (m.evidenceHeld === m.evidenceTotal) expect(t.finalAnswer).toBe(t.answer);
    }
    expect(run.results.some((r) => r.success)).toBe(true);
    expect(run.results.some((r) => !r.success)).toBe(true);
  });

  it('is sensitive to retrieval quality: evidence ranked higher → more success, fewer steps; hidden → less recall', async () => {
    const subset = questions.slice(0, 40);
    const gold = new Set(subset.flatMap((q) => q.evidence));
    const run = (searcher: BasicSearcher) =>
      runAgent({ agent: createSimulatedAgent({ profile: 'careful', documents }), questions: subset, tool: createSearchTool({ searcher, documents }), seed: 9, retriever: 'x' });
    const base = summarize((await run(bm25)).results);
    const better = summarize((await run(new RankShiftSearcher(bm25, gold, 'promote'))).results);
    const worse = summarize((await run(new RankShiftSearcher(bm25, gold, 'demote', 30))).results);
    expect(better.success).toBeGreaterThan(base.success);
    expect(better.steps).toBeLessThan(base.steps);
    expect(worse.evidenceRecall).toBeLessThan(base.evidenceRecall);
    expect(worse.success).toBeLessThan(base.success);
  });
});
