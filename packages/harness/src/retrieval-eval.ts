import type { Question } from './dataset';
import { ndcgAtK, recallAtK } from './metrics';
import type { Searcher } from './search-tool';

export interface RetrievalEvaluation {
  questions: number;
  ndcgAt10: number;
  recallAt100: number;
  perQuestion: Array<{ questionId: string; ndcgAt10: number; recallAt100: number }>;
}

/** nDCG@10 and Recall@100 of a retriever on the raw questions (those with evidence). */
export async function evaluateRetrieval(
  searcher: Searcher,
  questions: readonly Question[],
  options: { depth?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<RetrievalEvaluation> {
  const depth = options.depth ?? 100;
  const judged = questions.filter((q) => q.evidence.length > 0);
  const perQuestion: RetrievalEvaluation['perQuestion'] = [];
  for (const q of judged) {
    const hits = await searcher.search(q.text, depth);
    const ranked = hits.map((h) => h.docid);
    const rels = new Map(q.evidence.map((d) => [d, 1] as const));
    perQuestion.push({ questionId: q.id, ndcgAt10: ndcgAtK(ranked, rels, 10), recallAt100: recallAtK(ranked, rels, 100) });
    options.onProgress?.(perQuestion.length, judged.length);
  }
  const avg = (f: (r: (typeof perQuestion)[number]) => number) => (perQuestion.length ? perQuestion.reduce((s, r) => s + f(r), 0) / perQuestion.length : 0);
  return { questions: perQuestion.length, ndcgAt10: avg((r) => r.ndcgAt10), recallAt100: avg((r) => r.recallAt100), perQuestion };
}
