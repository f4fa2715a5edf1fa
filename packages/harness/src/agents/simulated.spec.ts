import * as path from 'path';
import { TrajectorySchema, createSearchTool, inMemoryDocumentStore, type DocumentStore } from '@lrat/trajectory';
import { loadBeirDataset, splitQuestions, Question } from '../dataset';
import { InMemoryBm25Searcher } from '../testing/bm25-searcher';
import { RankShiftSearcher } from '../testing/rank-shift-searcher';
import { runAgent } from '../run-agent';
import { summarize } from '../metrics';
import { calibrationStats } from '../calibration';
import { createSimulatedAgent, SIMULATED_PROFILES } from './simulated';
import type { BasicSearcher } from '@lrat/core';

const MULTIHOP = path.resolve(__dirname, '../../../../data/multihop-wiki');
// The rule judge's NOT_RELEVANT phrases (miners' offline judge).
const REJECT = /not relevant|irrelevant|does not mention|no information about|unrelated/i;

let questions: Question[];
let documents: DocumentStore;
let bm25: BasicSearcher;

beforeAll(async () => {
  const ds = await loadBeirDataset(MULTIHOP);
  const corpus = await ds.loadCorpus();
  documents = inMemoryDocumentStore(corpus);
  bm25 = new InMemoryBm25Searcher(corpus.values());
  questions = splitQuestions(ds.questions, { seed: 5, testSize: 60 }).test;
});

describe('simulated agent', () => {
  it('is deterministic by seed and produces valid trajectories that only use the tool', async () => {
    const tool = createSearchTool({ searcher: bm25, documents });
    const agent = createSimulatedAgent({ profile: 'careful', documents });
    const q = questions[0];
    const a = await agent.run(q, tool, { seed: 3 });
    const b = await agent.run(q, tool, { seed: 3 });
    const c = await agent.run(q, tool, { seed: 4 });
    expect(a).toEqual(b);
    expect(TrajectorySchema.parse(a)).toEqual(a);
    expect(JSON.stringify(c.steps)).not.toEqual(JSON.stringify(a.steps));
    expect(a.steps[0]).toMatchObject({ type: 'search', query: q.text });
    expect(a.steps.at(-1)?.type).toBe('answer');
    expect(a.agent).toMatchObject({ backend: 'simulated', profile: 'careful', simulated: true });
    // Every browse follows a search that showed the doc, and is followed by its reasoning.
    const shown = new Set<string>();
    a.steps.forEach((s, i) => {
      if (s.type === 'search') s.results.forEach((r) => shown.add(r.docid));
      if (s.type === 'browse') {
        expect(shown.has(s.docid)).toBe(true);
        expect(a.steps[i + 1]?.type).toBe('reasoning');
      }
    });
  });

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

  it('rejects an unknown profile and offers at least three', () => {
    expect(Object.keys(SIMULATED_PROFILES).length).toBeGreaterThanOrEqual(3);
    expect(() => createSimulatedAgent({ profile: 'nope', documents })).toThrow(/unknown simulated profile "nope"/);
  });
});
