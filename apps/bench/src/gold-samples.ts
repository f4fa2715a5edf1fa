import { type Question } from '@lrat/agents';
import type { LratSample } from '@lrat/miners';
import type { BasicSearcher as Searcher } from '@lrat/core';
import { documentText, type Doc } from '@lrat/core';

/**
 * The supervised upper bound's data: one sample per (training question, gold evidence doc), with the
 * top BM25 results for the question that are not gold as hard negatives. Same sample shape, trainer,
 * epochs and seed as LRAT; only the supervision differs (qrels instead of agent trajectories).
 */
export async function goldSamples(questions: readonly Question[], bm25: Searcher, corpus: ReadonlyMap<string, Doc>, negatives = 9): Promise<LratSample[]> {
  const out: LratSample[] = [];
  for (const q of questions) {
    const gold = new Set(q.evidence);
    const hits = await bm25.search(q.text, negatives + gold.size + 10);
    const negIds = hits.map((h) => h.docid).filter((d) => !gold.has(d) && corpus.has(d)).slice(0, negatives);
    const neg = negIds.map((d) => documentText(corpus.get(d) as Doc));
    for (const d of q.evidence) {
      const doc = corpus.get(d);
      if (!doc) continue;
      out.push({ query: q.text, pos: [documentText(doc)], neg, pos_id: [d], neg_id: negIds, reasoning_len: 0, satisfied: true, reweight_rate: 1 });
    }
  }
  return out;
}
