import { pairByQuestion, pairedBootstrap, summarize, type DifferenceRow, type QuestionResult, type RunRow } from '@lrat/harness';
import type { Collected } from './collect';

// Turning agent runs into report rows: averages per run, paired bootstrap differences per agent.

export function runRow(c: Collected, dataset: string, hasAnswers: boolean, ndcgAt10: number | null, how: string, loop?: number): RunRow {
  const s = summarize(c.run.results);
  return {
    agent: c.agent.name,
    retriever: c.retriever,
    split: c.split,
    dataset,
    questions: s.questions,
    evidence_recall: s.evidenceRecall,
    success: hasAnswers ? s.success : null,
    steps: s.steps,
    search_calls: s.searches,
    browse_calls: s.browses,
    ndcg_at_10: ndcgAt10,
    ...(loop === undefined ? {} : { loop }),
    simulated: c.agent.simulated,
    how,
  };
}

const METRICS: Array<{ name: string; get: (r: QuestionResult) => number; needsAnswers?: boolean }> = [
  { name: 'evidence_recall', get: (r) => r.evidenceRecall },
  { name: 'success', get: (r) => (r.success ? 1 : 0), needsAnswers: true },
  { name: 'steps', get: (r) => r.steps },
];

/** Treatment vs baseline for every agent present in both, paired by question. */
export function differences(baseline: readonly Collected[], treatment: readonly Collected[], dataset: string, hasAnswers: boolean, seed: number, resamples: number): DifferenceRow[] {
  const rows: DifferenceRow[] = [];
  for (const b of baseline) {
    const t = treatment.find((x) => x.agent.name === b.agent.name && x.split === b.split);
    if (!t) continue;
    for (const m of METRICS) {
      if (m.needsAnswers && !hasAnswers) continue;
      const pairs = pairByQuestion(b.run.results, t.run.results, m.get);
      const d = pairedBootstrap(pairs.before, pairs.after, { seed: `${seed}:${b.agent.name}:${m.name}`, resamples });
      rows.push({
        agent: b.agent.name,
        split: b.split,
        dataset,
        metric: m.name,
        baseline: b.retriever,
        treatment: t.retriever,
        before: d.before,
        after: d.after,
        delta: d.diff,
        relative: Number.isFinite(d.relative) ? d.relative : null,
        ci95: [d.ciLow, d.ciHigh],
        resamples: d.resamples,
        questions: d.n,
      });
    }
  }
  return rows;
}
