// SQuAD-style answer normalisation and scores (the official SQuAD v1.1 evaluation's rules): lower case,
// punctuation and the articles a/an/the removed, whitespace collapsed; F1 over bag-of-token overlap.

export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, '')
    .replace(/\b(a|an|the)\b/g, ' ')
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .join(' ');
}

export function exactMatch(prediction: string, gold: string): boolean {
  return normalizeAnswer(prediction) === normalizeAnswer(gold);
}

export function tokenF1(prediction: string, gold: string): number {
  const p = normalizeAnswer(prediction).split(' ').filter(Boolean);
  const g = normalizeAnswer(gold).split(' ').filter(Boolean);
  if (p.length === 0 || g.length === 0) return p.length === g.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of g) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of p) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      common++;
      counts.set(t, c - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / p.length;
  const recall = common / g.length;
  return (2 * precision * recall) / (precision + recall);
}

export interface AnswerVerdict {
  correct: boolean;
  exactMatch: boolean;
  f1: number;
  /** How the verdict was reached, for reports ("em" offline, "llm:<model>" with a judge). */
  method: string;
}

/** Decides whether a final answer is correct. */
export interface AnswerJudge {
  readonly id: string;
  judge(input: { question: string; prediction: string | null | undefined; gold: string }): Promise<AnswerVerdict>;
}

/** The offline judge: correct = normalised exact match (F1 reported beside it). */
export const exactMatchJudge: AnswerJudge = {
  id: 'em',
  async judge({ prediction, gold }) {
    const pred = prediction ?? '';
    const em = pred !== '' && exactMatch(pred, gold);
    return { correct: em, exactMatch: em, f1: pred === '' ? 0 : tokenF1(pred, gold), method: 'em' };
  },
};

/** Offline judge by token overlap: correct = SQuAD token F1 ≥ `threshold` (default 0.5); EM and F1 reported beside it. */
export function tokenF1Judge(threshold = 0.5): AnswerJudge {
  return {
    id: `f1>=${threshold}`,
    async judge({ prediction, gold }) {
      const pred = prediction ?? '';
      const f1 = pred === '' ? 0 : tokenF1(pred, gold);
      return { correct: f1 >= threshold, exactMatch: pred !== '' && exactMatch(pred, gold), f1, method: `f1>=${threshold}` };
    },
  };
}
