import type { Trajectory } from '@lrat/trajectory';
import { evaluateQuery } from '@lrat/indexer';
import { createRng } from '@lrat/core';

// Agent-level metrics as the official evaluation defines them (scripts_evaluation/evaluate.py):
// success (judge), steps = tool calls, evidence recall = share of the question's gold evidence docs that
// appeared in any result list of the trajectory; all averaged over questions.

export interface TrajectoryCounts {
  searches: number;
  browses: number;
  /** Tool calls: searches + browses. */
  steps: number;
  /** Share of gold evidence docs shown in any result list (0 when there is no evidence). */
  evidenceRecall: number;
  /** Share of gold evidence docs the agent opened. */
  evidenceBrowsed: number;
}

export function trajectoryCounts(trajectory: Trajectory, evidence: readonly string[]): TrajectoryCounts {
  const shown = new Set<string>();
  const browsed = new Set<string>();
  let searches = 0;
  let browses = 0;
  for (const step of trajectory.steps) {
    if (step.type === 'search') {
      searches++;
      for (const r of step.results) shown.add(r.docid);
    } else if (step.type === 'browse') {
      browses++;
      browsed.add(step.docid);
    }
  }
  const gold = new Set(evidence);
  const share = (s: Set<string>) => (gold.size === 0 ? 0 : [...gold].filter((d) => s.has(d)).length / gold.size);
  return { searches, browses, steps: searches + browses, evidenceRecall: share(shown), evidenceBrowsed: share(browsed) };
}

/** One row of the per-question table. */
export interface QuestionResult extends TrajectoryCounts {
  questionId: string;
  agent: string;
  /** Retriever / index label ("base", "lrat", "bm25", ...). */
  retriever: string;
  split?: string;
  success: boolean;
  exactMatch: boolean;
  f1: number;
  finalAnswer: string | null;
  goldAnswer: string | null;
  judge: string;
  /** Seed of the run (multi-seed studies). */
  seed?: number;
}

export interface MetricSummary {
  questions: number;
  success: number;
  evidenceRecall: number;
  evidenceBrowsed: number;
  steps: number;
  searches: number;
  browses: number;
  exactMatch: number;
  f1: number;
}

const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

export function summarize(rows: readonly QuestionResult[]): MetricSummary {
  return {
    questions: rows.length,
    success: mean(rows.map((r) => (r.success ? 1 : 0))),
    evidenceRecall: mean(rows.map((r) => r.evidenceRecall)),
    evidenceBrowsed: mean(rows.map((r) => r.evidenceBrowsed)),
    steps: mean(rows.map((r) => r.steps)),
    searches: mean(rows.map((r) => r.searches)),
    browses: mean(rows.map((r) => r.browses)),
    exactMatch: mean(rows.map((r) => (r.exactMatch ? 1 : 0))),
    f1: mean(rows.map((r) => r.f1)),
  };
}

const CSV_COLUMNS: Array<keyof QuestionResult> = [
  'questionId', 'agent', 'retriever', 'split', 'success', 'exactMatch', 'f1', 'evidenceRecall', 'evidenceBrowsed',
  'steps', 'searches', 'browses', 'finalAnswer', 'goldAnswer', 'judge', 'seed',
];

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(6)) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV of per-question results, one header row. */
export function perQuestionCsv(rows: readonly QuestionResult[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push(CSV_COLUMNS.map((c) => csvCell(r[c])).join(','));
  return lines.join('\n') + '\n';
}

export interface BootstrapOptions {
  seed?: number | string;
  /** Resamples (default 2000). */
  resamples?: number;
  /** Confidence level (default 0.95). */
  confidence?: number;
}

export interface PairedDifference {
  n: number;
  before: number;
  after: number;
  /** after − before (mean of paired differences). */
  diff: number;
  /** diff / before (NaN when before is 0). */
  relative: number;
  ciLow: number;
  ciHigh: number;
  confidence: number;
  resamples: number;
}

/**
 * Paired bootstrap CI of mean(after − before): resample question indices with replacement, take the
 * percentile interval of the resampled mean differences. Pairs must be aligned by question.
 */
export function pairedBootstrap(before: readonly number[], after: readonly number[], options: BootstrapOptions = {}): PairedDifference {
  if (before.length !== after.length) throw new Error(`pairedBootstrap: ${before.length} values before vs ${after.length} after`);
  const n = before.length;
  const resamples = options.resamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  const diffs = before.map((b, i) => after[i] - b);
  const mb = mean([...before]);
  const ma = mean([...after]);
  const diff = mean(diffs);
  if (n === 0) return { n, before: 0, after: 0, diff: 0, relative: NaN, ciLow: 0, ciHigh: 0, confidence, resamples: 0 };
  const rng = createRng(options.seed ?? 0, 'bootstrap');
  const stats = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += diffs[rng.int(n)];
    stats[b] = s / n;
  }
  stats.sort();
  const alpha = (1 - confidence) / 2;
  const at = (q: number) => stats[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))];
  return { n, before: mb, after: ma, diff, relative: mb === 0 ? NaN : diff / mb, ciLow: at(alpha), ciHigh: at(1 - alpha), confidence, resamples };
}

/**
 * Pairs two result sets by question id (only questions present in both) for `pairedBootstrap`:
 * agent results, or any per-question scores (a retrieval evaluation's perQuestion).
 */
export function pairByQuestion<R extends { questionId: string } = QuestionResult>(
  before: readonly R[],
  after: readonly R[],
  metric: (r: R) => number,
): { before: number[]; after: number[]; questionIds: string[] } {
  const a = new Map(after.map((r) => [r.questionId, r]));
  const out = { before: [] as number[], after: [] as number[], questionIds: [] as string[] };
  for (const r of before) {
    const other = a.get(r.questionId);
    if (!other) continue;
    out.before.push(metric(r));
    out.after.push(metric(other));
    out.questionIds.push(r.questionId);
  }
  return out;
}

// Retrieval metrics on a ranked list, delegated to @lrat/indexer's trec_eval-faithful implementation
// (linear gains, log2 discount) so agent evaluation and `lrat eval` never disagree.

const asRun = (ranked: readonly string[]) => ranked.map((docid, i) => ({ docid, score: ranked.length - i }));

export function ndcgAtK(ranked: readonly string[], rels: ReadonlyMap<string, number>, k = 10): number {
  return evaluateQuery(asRun(ranked), rels, [{ name: 'ndcg', k, label: 'ndcg' }]).ndcg;
}

export function recallAtK(ranked: readonly string[], rels: ReadonlyMap<string, number>, k = 100): number {
  return evaluateQuery(asRun(ranked), rels, [{ name: 'recall', k, label: 'recall' }]).recall;
}
