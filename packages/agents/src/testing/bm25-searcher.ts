import type { Hit, BasicSearcher } from '@lrat/core';
import { type Doc, documentText } from '@lrat/core';

// A small in-memory BM25 (k1 0.9, b 0.4, as Pyserini's defaults) so agent tests and calibration run
// without @lrat/indexer. Lower-cased alphanumeric tokens, no stemming. Not the production retriever.

const tokenize = (t: string) => t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

export class InMemoryBm25Searcher implements BasicSearcher {
  private readonly ids: string[] = [];
  private readonly lengths: number[] = [];
  private readonly postings = new Map<string, Array<[number, number]>>();
  private avgLength = 0;

  constructor(docs: Iterable<Doc>, private readonly k1 = 0.9, private readonly b = 0.4) {
    let total = 0;
    for (const doc of docs) {
      const n = this.ids.length;
      this.ids.push(doc.docid);
      const tokens = tokenize(documentText(doc));
      this.lengths.push(tokens.length);
      total += tokens.length;
      const tf = new Map<string, number>();
      for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [t, c] of tf) {
        let p = this.postings.get(t);
        if (!p) this.postings.set(t, (p = []));
        p.push([n, c]);
      }
    }
    this.avgLength = this.ids.length ? total / this.ids.length : 0;
  }

  async search(query: string, k: number): Promise<Hit[]> {
    const scores = new Map<number, number>();
    const N = this.ids.length;
    for (const t of new Set(tokenize(query))) {
      const p = this.postings.get(t);
      if (!p) continue;
      const idf = Math.log(1 + (N - p.length + 0.5) / (p.length + 0.5));
      for (const [d, tf] of p) {
        const norm = tf + this.k1 * (1 - this.b + (this.b * this.lengths[d]) / this.avgLength);
        scores.set(d, (scores.get(d) ?? 0) + (idf * tf * (this.k1 + 1)) / norm);
      }
    }
    return [...scores.entries()]
      .sort((x, y) => y[1] - x[1] || x[0] - y[0])
      .slice(0, k)
      .map(([d, score], i) => ({ docid: this.ids[d], score, rank: i + 1 }));
  }
}
