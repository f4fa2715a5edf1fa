import { createRng, documentText, type Doc, type LratSample } from '@lrat/core';

/**
 * Inverse-cloze pairs (Lee et al. 2019, "Latent Retrieval for Weakly Supervised Open Domain QA"): a
 * sentence of a corpus passage as the query, the passage as its positive, other passages as
 * negatives. No labels and no agent: what the corpus alone teaches a retriever. Mixed into LRAT's
 * mined pairs they keep the query tower good at declarative, sentence-like queries while the agents'
 * pairs pull it toward their questions; measured on dev splits (apps/bench README), they kept the
 * out-of-domain score above the base model's where LRAT pairs alone lowered it, at the same
 * in-domain score. The passage keeps its sentence: a retriever searches passages as they are indexed.
 */

export interface InverseClozeOptions {
  /** Pairs to draw (passages are drawn with replacement; each pair one sentence). */
  count: number;
  /** Seed of the draws: same corpus, count and seed → same pairs. */
  seed: number | string;
  /** Random other passages per pair (default 9). */
  negatives?: number;
  /** Shortest sentence kept as a query, in whitespace words (default 6). */
  minWords?: number;
}

/** Sentences of a passage body: split after ., ! or ? followed by whitespace. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * `count` inverse-cloze pairs from `docs`. Passages without a sentence of `minWords` words are
 * skipped; negatives are distinct passages other than the positive. Weight 1 (reweight_rate); no
 * reasoning measured them (reasoning_len null).
 */
export function inverseClozePairs(docs: readonly Doc[], options: InverseClozeOptions): LratSample[] {
  const { count, seed } = options;
  const negatives = options.negatives ?? 9;
  const minWords = options.minWords ?? 6;
  if (!Number.isInteger(count) || count < 0) throw new Error(`inverse cloze: count must be a non-negative integer, got ${count}`);
  if (!Number.isInteger(negatives) || negatives < 0) throw new Error(`inverse cloze: negatives must be a non-negative integer, got ${negatives}`);
  if (count === 0) return [];
  // Each passage's query candidates, split once: the passages with none are never drawn.
  const usable = docs.map((doc) => ({ doc, queries: sentences(doc.text).filter((s) => wordCount(s) >= minWords) })).filter((u) => u.queries.length > 0);
  if (usable.length === 0) throw new Error(`inverse cloze: no passage among ${docs.length} has a sentence of ${minWords} words or more`);
  const distinct = new Set(docs.map((d) => d.docid)).size;
  if (distinct < negatives + 1) throw new Error(`inverse cloze: ${negatives} negatives need at least ${negatives + 1} passages, the corpus has ${distinct}`);
  const rng = createRng(seed, 'inverse-cloze');
  const out: LratSample[] = [];
  for (let i = 0; i < count; i++) {
    const { doc, queries } = rng.pick(usable);
    const query = rng.pick(queries);
    const chosen = new Set<string>([doc.docid]);
    const neg: Doc[] = [];
    while (neg.length < negatives) {
      const other = rng.pick(docs);
      if (chosen.has(other.docid)) continue;
      chosen.add(other.docid);
      neg.push(other);
    }
    out.push({ query, pos: [documentText(doc)], neg: neg.map(documentText), pos_id: [doc.docid], neg_id: neg.map((d) => d.docid), reasoning_len: null, reweight_rate: 1, satisfied: true });
  }
  return out;
}

function wordCount(s: string): number {
  return s.split(/\s+/).filter(Boolean).length;
}
