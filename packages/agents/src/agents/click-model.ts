import type { Trajectory } from '@lrat/trajectory';
import { createRng, type LratSample } from '@lrat/core';

// The human baseline LRAT argues against: a position-biased cascade click model (Craswell et al. 2008,
// with DBN-style satisfaction, Chapelle & Zhang 2009) run on the agents' own result lists, and its
// logs mined the human way — clicked = positive, skipped above = negative, no judge, no weights.

export interface ClickModelOptions {
  seed: number | string;
  /** P(click | examined, relevant) (default 0.8). */
  attractRelevant?: number;
  /** P(click | examined, not relevant) (default 0.12). */
  attractOther?: number;
  /** P(stop after clicking a relevant doc) (default 0.7). */
  satisfaction?: number;
  /** P(examining the next rank after a rank without a satisfying click) (default 0.75): the position bias. */
  persistence?: number;
}

export interface ClickLog {
  trajectoryId: string;
  questionId?: string;
  query: string;
  /** The result list shown (doc ids, rank order). */
  results: string[];
  /** 1-based ranks clicked, in click order (top to bottom). */
  clicks: number[];
  /** Deepest rank the user looked at. */
  examinedTo: number;
}

/** Simulates clicks on every search step of the trajectories; relevance = the question's qrels. */
export function simulateClicks(
  trajectories: readonly Trajectory[],
  evidenceOf: (questionId: string) => readonly string[],
  options: ClickModelOptions,
): ClickLog[] {
  const aRel = options.attractRelevant ?? 0.8;
  const aOther = options.attractOther ?? 0.12;
  const sat = options.satisfaction ?? 0.7;
  const persist = options.persistence ?? 0.75;
  const logs: ClickLog[] = [];
  for (const t of trajectories) {
    const gold = new Set(evidenceOf(t.questionId ?? t.id));
    t.steps.forEach((step, si) => {
      if (step.type !== 'search' || step.results.length === 0) return;
      const rng = createRng(options.seed, 'clicks', t.id, si);
      const results = step.results.map((r) => r.docid);
      const clicks: number[] = [];
      let examinedTo = 0;
      for (let r = 0; r < results.length; r++) {
        examinedTo = r + 1;
        const relevant = gold.has(results[r]);
        if (rng.chance(relevant ? aRel : aOther)) {
          clicks.push(r + 1);
          if (relevant && rng.chance(sat)) break;
        }
        if (!rng.chance(persist)) break;
      }
      logs.push({ trajectoryId: t.id, questionId: t.questionId, query: step.query, results, clicks, examinedTo });
    });
  }
  return logs;
}

/** Click logs as trajectories (search, then a browse per click), e.g. for browse-rank statistics. */
export function clickTrajectories(logs: readonly ClickLog[]): Trajectory[] {
  const byTraj = new Map<string, Trajectory>();
  for (const log of logs) {
    let t = byTraj.get(log.trajectoryId);
    if (!t) {
      t = { id: `click:${log.trajectoryId}`, questionId: log.questionId, question: '', agent: { name: 'click-model', backend: 'click', simulated: true }, steps: [] };
      byTraj.set(log.trajectoryId, t);
    }
    t.steps.push({ type: 'search', query: log.query, results: log.results.map((docid, i) => ({ docid, rank: i + 1 })) });
    for (const c of log.clicks) t.steps.push({ type: 'browse', docid: log.results[c - 1], tool: 'click' });
  }
  return [...byTraj.values()];
}

/** A training sample in the FlagEmbedding format LRAT's miner writes (docs/lrat-algorithm.md §2). */
export type ClickSample = LratSample;

export interface ClickMiningResult {
  samples: ClickSample[];
  /** Clicks that produced no sample: no skipped doc to contrast with, or the doc is not in the corpus. */
  dropped: { noNegatives: number; notInCorpus: number };
}

/**
 * Mines click logs the human way: each click is a positive; its negatives are the docs ranked above it
 * that were not clicked (skip-above, Joachims 2002); a click with none (a top click) falls back to the
 * next examined unclicked doc below it (skip-next). No judge, no weights (reweight_rate 1).
 */
export function mineClickLogs(logs: readonly ClickLog[], docText: (docid: string) => string | undefined): ClickMiningResult {
  const samples: ClickSample[] = [];
  const dropped = { noNegatives: 0, notInCorpus: 0 };
  for (const log of logs) {
    const clicked = new Set(log.clicks);
    for (const c of log.clicks) {
      const pos = log.results[c - 1];
      const posText = docText(pos);
      if (posText === undefined) {
        dropped.notInCorpus++;
        continue;
      }
      let negIds = log.results.slice(0, c - 1).filter((_, i) => !clicked.has(i + 1));
      if (negIds.length === 0) {
        const next = log.results.findIndex((_, i) => i + 1 > c && i + 1 <= log.examinedTo && !clicked.has(i + 1));
        if (next >= 0) negIds = [log.results[next]];
      }
      const negPairs = negIds.map((d) => [d, docText(d)] as const).filter((p): p is readonly [string, string] => p[1] !== undefined);
      if (negPairs.length === 0) {
        dropped.noNegatives++;
        continue;
      }
      samples.push({
        query: log.query,
        pos: [posText],
        neg: negPairs.map((p) => p[1]),
        pos_id: [pos],
        neg_id: negPairs.map((p) => p[0]),
        reasoning_len: 0,
        satisfied: true,
        reweight_rate: 1,
      });
    }
  }
  return { samples, dropped };
}
