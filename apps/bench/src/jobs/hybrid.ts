import type { Question } from '@lrat/agents';
import type { RetrieverProvenance } from '@lrat/report';
import type { BasicSearcher as Searcher } from '@lrat/core';
import type { JobContext, Retriever } from '../pipeline';
import { tuneFusionWeight, type TunedFusion } from '../stack-common';

/** The two searchers a hybrid fuses. */
export interface HybridParts {
  bm25: Searcher;
  dense: Searcher;
}

/**
 * `name` = BM25 ⊕ a dense retriever as a practitioner would deploy it: a convex combination of
 * min-max-normalised scores whose dense weight is the best on the TRAINING questions (`tuneOn`,
 * searched through `tuneParts`), then applied unchanged to `parts` (the held-out evaluation, possibly
 * another corpus). The held-out questions never choose anything.
 */
export async function tunedHybrid(ctx: JobContext, name: string, parts: HybridParts, tuneParts: HybridParts, tuneOn: readonly Question[], denseName: string, tuneWhere: string): Promise<{ retriever: Retriever; provenance: RetrieverProvenance; fusion: TunedFusion }> {
  const fusion = await tuneFusionWeight(tuneParts.bm25, tuneParts.dense, tuneOn);
  const w = fusion.denseWeight;
  const grid = fusion.grid.filter((_, i) => i % 4 === 0 || fusion.grid[i].denseWeight === w).map((g) => `${g.denseWeight.toFixed(2)}: ${g.ndcg.toFixed(3)}`).join(', ');
  ctx.log(`${name}: dense weight ${w.toFixed(2)} (BM25 ${(1 - w).toFixed(2)}), nDCG@10 ${fusion.tuningNdcg.toFixed(4)} on ${fusion.tuningQuestions} ${tuneWhere}`);
  return {
    retriever: { name, searcher: ctx.stack.hybridSearcher(parts.bm25, parts.dense, w) },
    provenance: {
      name,
      kind: 'hybrid',
      description: `BM25 and the ${denseName} dense retriever fused by a convex combination of min-max-normalised scores (depth 100 each; @lrat/indexer): ${w.toFixed(2)} × dense + ${(1 - w).toFixed(2)} × BM25, the weight of the grid 0, 0.05, …, 1 with the best nDCG@10 on the ${fusion.tuningQuestions} ${tuneWhere} (their qrels; never the held-out questions) — grid ${grid}`,
    },
    fusion,
  };
}
