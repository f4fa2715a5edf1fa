import { evaluateQuery, parseMetrics, trecEvalOrder } from '@lrat/indexer';
import type { Qrels } from '@lrat/core';
import type { Question } from '@lrat/agents';
import type { BasicSearcher } from '@lrat/core';

export interface RetrievalEvaluation {
  questions: number;
  ndcgAt10: number;
  recallAt100: number;
  perQuestion: Array<{ questionId: string; ndcgAt10: number; recallAt100: number }>;
}

const METRICS = parseMetrics('ndcg@10,recall@100');

/**
 * nDCG@10 and Recall@100 of a retriever on the raw question texts, with trec_eval semantics
 * (@lrat/indexer metrics). Judgements: the data set's graded qrels when given, else each question's
 * evidence with gain 1; questions without any judgement are left out.
 */
export async function evaluateRetrieval(
  searcher: BasicSearcher,
  questions: readonly Question[],
  options: { depth?: number; qrels?: Qrels; batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<RetrievalEvaluation> {
  const depth = Math.max(100, options.depth ?? 100);
  const judgedOf = (q: Question) => options.qrels?.get(q.id) ?? new Map(q.evidence.map((d) => [d, 1] as const));
  const judged = questions.filter((q) => [...judgedOf(q).values()].some((g) => g > 0));
  const perQuestion: RetrievalEvaluation['perQuestion'] = [];
  const batch = searcher.searchBatch ? Math.max(1, options.batchSize ?? 64) : 1;
  for (let i = 0; i < judged.length; i += batch) {
    const slice = judged.slice(i, i + batch);
    const lists = searcher.searchBatch ? await searcher.searchBatch(slice.map((q) => q.text), depth) : [await searcher.search(slice[0].text, depth)];
    slice.forEach((q, j) => {
      const values = evaluateQuery(trecEvalOrder(lists[j].map((h) => ({ docid: h.docid, score: h.score }))), judgedOf(q), METRICS);
      perQuestion.push({ questionId: q.id, ndcgAt10: values['ndcg@10'], recallAt100: values['recall@100'] });
    });
    options.onProgress?.(perQuestion.length, judged.length);
  }
  const avg = (f: (r: (typeof perQuestion)[number]) => number) => (perQuestion.length ? perQuestion.reduce((s, r) => s + f(r), 0) / perQuestion.length : 0);
  return { questions: perQuestion.length, ndcgAt10: avg((r) => r.ndcgAt10), recallAt100: avg((r) => r.recallAt100), perQuestion };
}
