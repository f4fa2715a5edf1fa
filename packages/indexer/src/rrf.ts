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
