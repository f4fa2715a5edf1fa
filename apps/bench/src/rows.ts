import { holmAdjust, meanSd, pairByQuestion, stratifiedPairedBootstrap, summarize, type QuestionResult, type RetrievalEvaluation } from '@lrat/evaluation';
import { type AggregateRow, type DifferenceRow, type RunRow } from '@lrat/report';
import type { Collected } from './collect';

// Turning agent runs into report rows: averages per run, mean ± sd across seeds, and paired
// bootstrap differences pooled over seeds (stratified), Holm-corrected per comparison.

export function runRow(c: Collected, dataset: string, hasAnswers: boolean, ndcgAt10: number | null, how: string, loop?: number, seed?: number): RunRow {
  const s = summarize(c.run.results);
  return {
    agent: c.agent.name,
    retriever: c.retriever,
    split: c.split,
    dataset,
    questions: s.questions,
    evidence_recall: s.evidenceRecall,
    success: hasAnswers ? s.success : null,
    exact_match: hasAnswers ? s.exactMatch : null,
    f1: hasAnswers ? s.f1 : null,
    steps: s.steps,
    search_calls: s.searches,
    browse_calls: s.browses,
    ndcg_at_10: ndcgAt10,
    ...(loop === undefined ? {} : { loop }),
    ...(seed === undefined ? {} : { seed }),
    simulated: c.agent.simulated,
    how,
  };
}

const METRICS: Array<{ name: string; get: (r: QuestionResult) => number; needsAnswers?: boolean }> = [
  { name: 'evidence_recall', get: (r) => r.evidenceRecall },
  { name: 'success', get: (r) => (r.success ? 1 : 0), needsAnswers: true },
  { name: 'f1', get: (r) => r.f1, needsAnswers: true },
  { name: 'steps', get: (r) => r.steps },
];

/** The held-out runs of one seed. */
export interface SeedRuns {
  seed: number;
  tested: readonly Collected[];
}

/**
 * Treatment vs baseline for every agent present in both, paired by question within each seed and
 * pooled over seeds (bootstrap stratified by seed); p-values Holm-adjusted across this comparison's
 * agent × metric rows.
 */
export function differences(runs: readonly SeedRuns[], baseline: string, treatment: string, dataset: string, hasAnswers: boolean, resamples: number): DifferenceRow[] {
  const rows: DifferenceRow[] = [];
  const agents = [...new Set(runs.flatMap((r) => r.tested.filter((c) => c.retriever === baseline).map((c) => c.agent.name)))];
  for (const agent of agents) {
    for (const m of METRICS) {
      if (m.needsAnswers && !hasAnswers) continue;
      const strata: Stratum[] = [];
      let split: Collected['split'] = 'test';
      for (const r of runs) {
        const b = r.tested.find((c) => c.agent.name === agent && c.retriever === baseline);
        const t = b && r.tested.find((c) => c.agent.name === agent && c.retriever === treatment && c.split === b.split);
        if (!b || !t) continue;
        split = b.split;
        strata.push({ seed: r.seed, ...pairByQuestion(b.run.results, t.run.results, m.get) });
      }
      if (strata.length > 0) rows.push(differenceRow({ agent, split, dataset, metric: m.name, baseline, treatment }, strata, resamples));
    }
  }
  return holmCorrected(rows);
}

/** The raw held-out questions' retrieval scores of each retriever on one seed (evaluateRetrieval's perQuestion). */
export interface SeedRetrievalScores {
  seed: number;
  byRetriever: ReadonlyMap<string, RetrievalEvaluation['perQuestion']>;
}

const RETRIEVAL_METRICS: Array<{ name: string; get: (r: RetrievalEvaluation['perQuestion'][number]) => number }> = [
  { name: 'ndcg_at_10', get: (r) => r.ndcgAt10 },
  { name: 'recall_at_100', get: (r) => r.recallAt100 },
];

/**
 * Treatment vs baseline on the raw questions as queries (nDCG@10, Recall@100; agent "raw
 * questions"), paired by question within each seed and pooled like `differences`: whether a change
 * in the retrieval table is more than the draw of questions.
 */
export function retrievalDifferences(scores: readonly SeedRetrievalScores[], baseline: string, treatment: string, dataset: string, resamples: number): DifferenceRow[] {
  const rows: DifferenceRow[] = [];
  for (const m of RETRIEVAL_METRICS) {
    const strata: Stratum[] = [];
    for (const s of scores) {
      const b = s.byRetriever.get(baseline);
      const t = s.byRetriever.get(treatment);
      if (b && t) strata.push({ seed: s.seed, ...pairByQuestion(b, t, m.get) });
    }
    if (strata.length > 0) rows.push(differenceRow({ agent: RAW_QUESTIONS, split: 'test', dataset, metric: m.name, baseline, treatment }, strata, resamples));
  }
  return holmCorrected(rows);
}

/** The studies' comparisons of raw-question retrieval scores, [baseline, treatment]: the goals' two. */
export const RETRIEVAL_COMPARISONS: ReadonlyArray<[string, string]> = [
  ['base', 'lrat'],
  ['bm25', 'hybrid'],
];

/** The agent column of retrieval differences: no agent, the raw questions as queries. */
export const RAW_QUESTIONS = 'raw questions';

interface Stratum {
  seed: number;
  before: number[];
  after: number[];
}

/** One comparison's paired bootstrap over its seeds' questions (resampled within each seed). */
function differenceRow(what: Pick<DifferenceRow, 'agent' | 'split' | 'dataset' | 'metric' | 'baseline' | 'treatment'>, strata: readonly Stratum[], resamples: number): DifferenceRow {
  const seeds = strata.map((s) => s.seed);
  const d = stratifiedPairedBootstrap(strata, { seed: `${seeds.join(',')}:${what.agent}:${what.metric}:${what.baseline}:${what.treatment}`, resamples });
  return {
    ...what,
    before: d.before,
    after: d.after,
    delta: d.diff,
    relative: Number.isFinite(d.relative) ? d.relative : null,
    ci95: [d.ciLow, d.ciHigh],
    resamples: d.resamples,
    questions: d.n,
    seeds,
    p_value: d.p,
  };
}

/** Holm-adjusts the p-values of one comparison's rows; significant at 0.05 after it. */
function holmCorrected(rows: DifferenceRow[]): DifferenceRow[] {
  const adjusted = holmAdjust(rows.map((r) => r.p_value ?? 1));
  rows.forEach((r, i) => {
    r.p_holm = adjusted[i];
    r.significant = adjusted[i] < 0.05;
  });
  return rows;
}

const AGGREGATED: Array<keyof RunRow> = ['evidence_recall', 'success', 'exact_match', 'f1', 'steps', 'search_calls', 'browse_calls', 'ndcg_at_10'];

const PER_QUESTION: Partial<Record<keyof RunRow, (r: QuestionResult) => number>> = {
  evidence_recall: (r) => r.evidenceRecall,
  success: (r) => (r.success ? 1 : 0),
  exact_match: (r) => (r.exactMatch ? 1 : 0),
  f1: (r) => r.f1,
  steps: (r) => r.steps,
};

/**
 * Mean ± sd across seeds of every (agent, retriever, split, dataset, loop, arm) group of runs; with
 * the per-question results (`results`, labelled like the runs), a bootstrap CI of each mean too.
 */
export function aggregateRuns(runs: readonly RunRow[], results: readonly QuestionResult[] = [], resamples = 1000): AggregateRow[] {
  const groups = new Map<string, RunRow[]>();
  for (const r of runs) {
    const key = JSON.stringify([r.agent, r.retriever, r.split, r.dataset, r.loop ?? null, r.arm ?? null]);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out: AggregateRow[] = [];
  for (const rows of groups.values()) {
    const r0 = rows[0];
    const retriever = `${r0.retriever}${r0.arm ? `/${r0.arm}` : ''}${r0.loop !== undefined ? `@loop${r0.loop}` : ''}`;
    for (const metric of AGGREGATED) {
      const values = rows.map((r) => r[metric]).filter((v): v is number => typeof v === 'number');
      if (values.length === 0) continue;
      const s = meanSd(values);
      const get = PER_QUESTION[metric];
      const strata = get
        ? rows.map((r) => results.filter((q) => q.agent === r.agent && q.retriever === r.retriever && q.split === r.split && q.seed === r.seed).map(get)).filter((v) => v.length > 0)
        : [];
      const ci = strata.length === rows.length && strata.length > 0 ? stratifiedPairedBootstrap(strata.map((v) => ({ before: v.map(() => 0), after: v })), { seed: `${retriever}:${r0.agent}:${metric}`, resamples }) : undefined;
      out.push({
        agent: r0.agent,
        retriever,
        split: r0.split,
        dataset: r0.dataset,
        metric,
        mean: s.mean,
        sd: s.sd,
        seeds: s.n,
        ...(ci ? { ci95: [ci.ciLow, ci.ciHigh] as [number, number] } : {}),
        ...(r0.loop !== undefined ? { loop: r0.loop } : {}),
        ...(r0.arm ? { arm: r0.arm } : {}),
      });
    }
  }
  return out;
}
