import type { Hit } from '@lrat/core';

/** Orders hits by score descending, ties by doc id ascending (Anserini's convention), and numbers them. */
export function rankHits(entries: { docid: string; score: number }[], k: number): Hit[] {
  entries.sort((a, b) => (b.score - a.score) || (a.docid < b.docid ? -1 : a.docid > b.docid ? 1 : 0));
  return entries.slice(0, k).map((e, i) => ({ docid: e.docid, score: e.score, rank: i + 1 }));
}

/**
 * Reciprocal-rank fusion (Cormack et al. 2009): score(d) = Σ_lists 1 / (k + rank_list(d)), with the
 * 1-based rank of d in each list that holds it. k = 60 is the paper's constant.
 */
export function reciprocalRankFusion(lists: readonly (readonly Hit[])[], topK: number, k = 60): Hit[] {
  const fused = new Map<string, number>();
  for (const list of lists) {
    for (const hit of list) fused.set(hit.docid, (fused.get(hit.docid) ?? 0) + 1 / (k + hit.rank));
  }
  return rankHits([...fused].map(([docid, score]) => ({ docid, score })), topK);
}

/**
 * Convex combination of min-max-normalised scores (Bruch et al. 2023, "An Analysis of Fusion
 * Functions for Hybrid Retrieval"): each list's scores are mapped to [0, 1] over the hits it returned,
 * then score(d) = Σ_i weights[i] · norm_i(d), a doc missing from a list scoring 0 there. Unlike RRF
 * it keeps how far apart the scores are, and with a tuned weight it can lean on the stronger list
 * (weight 0 on a list is that list ignored). Weights must be finite and ≥ 0.
 */
export function convexScoreFusion(lists: readonly (readonly Hit[])[], weights: readonly number[], topK: number): Hit[] {
  if (weights.length !== lists.length) throw new Error(`convexScoreFusion: ${lists.length} lists but ${weights.length} weights`);
  for (const w of weights) if (!Number.isFinite(w) || w < 0) throw new Error(`convexScoreFusion: weights must be finite and ≥ 0, got ${weights.join(', ')}`);
  const fused = new Map<string, number>();
  lists.forEach((list, i) => {
    // Every hit of a list is at least as good as what it did not return: that floor is 0.
    for (const hit of list) if (!fused.has(hit.docid)) fused.set(hit.docid, 0);
    if (list.length === 0 || weights[i] === 0) return;
    let lo = Infinity;
    let hi = -Infinity;
    for (const hit of list) {
      lo = Math.min(lo, hit.score);
      hi = Math.max(hi, hit.score);
    }
    // One distinct score (or a single hit): every returned doc is the list's best.
    const span = hi - lo;
    for (const hit of list) fused.set(hit.docid, (fused.get(hit.docid) ?? 0) + weights[i] * (span > 0 ? (hit.score - lo) / span : 1));
  });
  return rankHits([...fused].map(([docid, score]) => ({ docid, score })), topK);
}
