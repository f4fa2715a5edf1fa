import type { Hit, BasicSearcher } from '@lrat/core';

/**
 * Wraps a searcher and moves a fixed set of documents (e.g. every gold evidence doc) up or down its
 * rankings: a controlled "better" or "worse" retriever for testing that agents are sensitive to
 * retrieval quality. `promote` puts the targets found in the top `depth` at ranks 1.., `demote`
 * removes them from the top k.
 */
export class RankShiftSearcher implements BasicSearcher {
  constructor(
    private readonly inner: BasicSearcher,
    private readonly targets: ReadonlySet<string>,
    private readonly mode: 'promote' | 'demote',
    private readonly depth = 100,
  ) {}

  async search(query: string, k: number): Promise<Hit[]> {
    const hits = await this.inner.search(query, Math.max(k, this.depth));
    const hit = hits.filter((h) => this.targets.has(h.docid));
    const rest = hits.filter((h) => !this.targets.has(h.docid));
    const order = this.mode === 'promote' ? [...hit, ...rest] : [...rest, ...hit];
    return order.slice(0, k).map((h, i) => ({ ...h, rank: i + 1 }));
  }
}
