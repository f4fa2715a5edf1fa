import { countWhitespaceTokens } from '@lrat/core';
import type { Trajectory } from '@lrat/trajectory';

// Agent-behaviour statistics the paper measures (Table 1, fig. 4c, fig. 4d), computed from any
// trajectories — simulated or real — so a report can show them beside the paper's numbers.

export interface BehaviourGroup {
  tasks: number;
  /** Mean searches per task. */
  searches: number;
  browses: number;
  /** Mean browses / mean searches (as Table 1 reports it). */
  browseSearchRatio: number;
}

export interface CalibrationStats {
  solved: BehaviourGroup;
  failed: BehaviourGroup;
  all: BehaviourGroup;
  /**
   * Share of browses per rank 1..k (index 0 = rank 1) — the doc's rank in the latest result list that
   * showed it before the browse; browses of docs never shown are counted in `browsesUnshown`.
   */
  browseRankShare: number[];
  browsesUnshown: number;
  /** Mean whitespace tokens of the post-browse reasoning, after evidence vs non-evidence docs. */
  reasoningTokensAfterEvidence: number;
  reasoningTokensAfterNonEvidence: number;
  evidenceBrowses: number;
  nonEvidenceBrowses: number;
}

export interface CalibrationInput {
  trajectory: Trajectory;
  success: boolean;
  evidence: readonly string[];
}

function group(items: readonly CalibrationInput[]): BehaviourGroup {
  let s = 0;
  let b = 0;
  for (const { trajectory } of items) {
    for (const step of trajectory.steps) {
      if (step.type === 'search') s++;
      else if (step.type === 'browse') b++;
    }
  }
  const n = items.length;
  return { tasks: n, searches: n ? s / n : 0, browses: n ? b / n : 0, browseSearchRatio: s ? b / s : 0 };
}

export function calibrationStats(items: readonly CalibrationInput[], k = 10): CalibrationStats {
  const rankCounts = new Array<number>(k).fill(0);
  let unshown = 0;
  const evidenceLens: number[] = [];
  const otherLens: number[] = [];
  for (const { trajectory, evidence } of items) {
    const gold = new Set(evidence);
    const lastRank = new Map<string, number>();
    const steps = trajectory.steps;
    steps.forEach((step, i) => {
      if (step.type === 'search') {
        step.results.forEach((r, j) => lastRank.set(r.docid, r.rank ?? j + 1));
      } else if (step.type === 'browse') {
        const rank = lastRank.get(step.docid);
        if (rank !== undefined && rank >= 1 && rank <= k) rankCounts[rank - 1]++;
        else unshown++;
        const next = steps[i + 1];
        const len = next?.type === 'reasoning' ? countWhitespaceTokens(next.text) : 0;
        (gold.has(step.docid) ? evidenceLens : otherLens).push(len);
      }
    });
  }
  const shown = rankCounts.reduce((a, b) => a + b, 0);
  const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return {
    solved: group(items.filter((x) => x.success)),
    failed: group(items.filter((x) => !x.success)),
    all: group(items),
    browseRankShare: rankCounts.map((c) => (shown ? c / shown : 0)),
    browsesUnshown: unshown,
    reasoningTokensAfterEvidence: avg(evidenceLens),
    reasoningTokensAfterNonEvidence: avg(otherLens),
    evidenceBrowses: evidenceLens.length,
    nonEvidenceBrowses: otherLens.length,
  };
}
