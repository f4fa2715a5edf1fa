import { contentWords } from '../text';

// The reader's relevance perception: a lexical scorer of its own, independent of any retriever under
// test. Terms of the question weigh 1, words of the names it contains 2 (an agent looks for the
// named things first). Pure functions; the agent adds the noise.

/** term → weight */
export type TermWeights = Map<string, number>;

export function termWeights(question: string): TermWeights {
  const w: TermWeights = new Map();
  for (const t of contentWords(question)) w.set(t, 1);
  // Capitalised words (names) and numbers are the discriminative part of a question.
  for (const m of question.matchAll(/(?<![\p{L}\p{N}])(\p{Lu}[\p{L}\p{N}'’-]*|\p{N}+)/gu)) {
    for (const t of contentWords(m[1])) if (w.has(t)) w.set(t, 2);
  }
  return w;
}

/** Weighted share of `terms` present among `words`. */
export function coverage(words: readonly string[] | ReadonlySet<string>, terms: TermWeights): number {
  const set = words instanceof Set ? words : new Set(words);
  let total = 0;
  let hit = 0;
  for (const [t, v] of terms) {
    total += v;
    if (set.has(t)) hit += v;
  }
  return total === 0 ? 0 : hit / total;
}

/** 1 when a title and an entity name the same thing (all words of the shorter within the longer), else partial overlap. */
export function titleMatch(title: string, entity: string | undefined): number {
  if (!entity || !title) return 0;
  const a = contentWords(title.replace(/\([^)]*\)/g, ' '));
  const b = new Set(contentWords(entity));
  if (a.length === 0 || b.size === 0) return 0;
  const shared = a.filter((w) => b.has(w)).length;
  return shared / Math.min(a.length, b.size);
}

/**
 * How relevant a text (snippet or whole document) looks for the question and the current sub-goal:
 * half coverage of the question's terms, half coverage of the goal's, plus a bonus when the title
 * names the goal's entity. In [0, 1.3]; the agent adds its noise and compares with a threshold.
 */
export function perceivedRelevance(text: string, title: string, question: TermWeights, goal: TermWeights, entity?: string): number {
  const words = new Set(contentWords(text));
  return 0.5 * coverage(words, question) + 0.5 * coverage(words, goal) + 0.3 * titleMatch(title, entity);
}
