import { documentText, type Doc } from '@lrat/core';
import { EnglishAnalyzer } from './analyzer';
import { byte4ToInt, intToByte4 } from './lucene-norms';
import type { Hit } from '@lrat/core';

export interface Bm25Params {
  k1: number;
  b: number;
}
export const DEFAULT_BM25: Bm25Params = { k1: 0.9, b: 0.4 };

export interface Bm25BuildOptions extends Partial<Bm25Params> {
  /** Called every few hundred documents and at the end. */
  onProgress?: (done: number, total: number) => void;
}

/** The arrays that make up a BM25 index; also its persisted form. */
export interface Bm25Data {
  params: Bm25Params;
  docIds: string[];
  terms: string[];
  /** CSR postings: term t's postings are [termOffsets[t], termOffsets[t+1]). */
  termOffsets: Uint32Array;
  postingDocs: Uint32Array;
  postingFreqs: Uint32Array;
  /** Analyzed length (number of terms) of each document. */
  docLengths: Uint32Array;
}

// A growable Uint32Array: building from JS arrays of objects would cost ~10× the memory.
class U32Builder {
  data = new Uint32Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/**
 * Lucene/Anserini-style BM25 over an inverted index of typed arrays. Scoring follows Lucene's
 * BM25Similarity: idf = ln(1 + (N − df + 0.5)/(df + 0.5)), term score = idf·tf/(tf + k1·(1 − b + b·dl/avgdl))
 * with dl the Lucene-quantised length; a query term repeated n times weighs n (Anserini's bag of words).
 */
export class Bm25Index {
  readonly analyzer = new EnglishAnalyzer();
  private readonly termIndex: Map<string, number>;
  private readonly lengthNorm: Float64Array;
  private readonly docNorm: Uint8Array;
  private readonly scores: Float64Array;
  private readonly touched: Uint32Array;

  private constructor(readonly data: Bm25Data) {
    const { docIds, terms, termOffsets, postingDocs, postingFreqs, docLengths, params } = data;
    if (termOffsets.length !== terms.length + 1) throw new Error(`BM25 index: ${terms.length} terms but ${termOffsets.length} term offsets`);
    if (postingDocs.length !== postingFreqs.length || termOffsets[terms.length] !== postingDocs.length) {
      throw new Error('BM25 index: posting arrays disagree with the term offsets');
    }
    if (docLengths.length !== docIds.length) throw new Error(`BM25 index: ${docIds.length} doc ids but ${docLengths.length} lengths`);
    for (let i = 0; i < postingDocs.length; i++) {
      if (postingDocs[i] >= docIds.length) throw new Error(`BM25 index: posting ${i} points at document ${postingDocs[i]} of ${docIds.length}`);
    }
    this.termIndex = new Map(terms.map((t, i) => [t, i]));
    if (this.termIndex.size !== terms.length) throw new Error('BM25 index: duplicate terms in the vocabulary');
    let total = 0;
    this.docNorm = new Uint8Array(docIds.length);
    for (let d = 0; d < docLengths.length; d++) {
      total += docLengths[d];
      this.docNorm[d] = intToByte4(docLengths[d]);
    }
    const avgdl = docIds.length ? total / docIds.length : 1;
    this.lengthNorm = new Float64Array(256);
    for (let i = 0; i < 256; i++) this.lengthNorm[i] = params.k1 * (1 - params.b + (params.b * byte4ToInt(i)) / avgdl);
    this.scores = new Float64Array(docIds.length);
    this.touched = new Uint32Array(docIds.length);
  }

  static fromData(data: Bm25Data): Bm25Index {
    return new Bm25Index(data);
  }

  /** Builds the index in memory from documents (title and text are indexed together). */
  static build(docs: Iterable<Doc>, options: Bm25BuildOptions = {}): Bm25Index {
    const params = { k1: options.k1 ?? DEFAULT_BM25.k1, b: options.b ?? DEFAULT_BM25.b };
    if (!(params.k1 >= 0) || !(params.b >= 0 && params.b <= 1)) throw new Error(`BM25 parameters out of range: k1=${params.k1} b=${params.b}`);
    const analyzer = new EnglishAnalyzer();
    const all = Array.isArray(docs) ? (docs as Doc[]) : [...docs];
    const vocab = new Map<string, number>();
    const terms: string[] = [];
    const docIds: string[] = [];
    const seen = new Set<string>();
    const docLengths = new Uint32Array(all.length);
    const pDoc = new U32Builder();
    const pTerm = new U32Builder();
    const pFreq = new U32Builder();
    const tf = new Map<number, number>();
    for (let d = 0; d < all.length; d++) {
      const doc = all[d];
      if (seen.has(doc.docid)) throw new Error(`BM25 build: duplicate document id "${doc.docid}" (document ${d + 1})`);
      seen.add(doc.docid);
      docIds.push(doc.docid);
      const analyzed = analyzer.analyze(documentText(doc));
      docLengths[d] = analyzed.length;
      tf.clear();
      for (const term of analyzed) {
        let id = vocab.get(term);
        if (id === undefined) {
          id = terms.length;
          vocab.set(term, id);
          terms.push(term);
        }
        tf.set(id, (tf.get(id) ?? 0) + 1);
      }
      for (const [id, f] of tf) {
        pDoc.push(d);
        pTerm.push(id);
        pFreq.push(f);
      }
      if (options.onProgress && ((d + 1) % 500 === 0 || d + 1 === all.length)) options.onProgress(d + 1, all.length);
    }
    // Counting sort by term: postings within a term stay in document order.
    const n = pDoc.length;
    const termOffsets = new Uint32Array(terms.length + 1);
    for (let i = 0; i < n; i++) termOffsets[pTerm.data[i] + 1]++;
    for (let t = 0; t < terms.length; t++) termOffsets[t + 1] += termOffsets[t];
    const cursor = termOffsets.slice(0, terms.length);
    const postingDocs = new Uint32Array(n);
    const postingFreqs = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const at = cursor[pTerm.data[i]]++;
      postingDocs[at] = pDoc.data[i];
      postingFreqs[at] = pFreq.data[i];
    }
    return new Bm25Index({ params, docIds, terms, termOffsets, postingDocs, postingFreqs, docLengths });
  }

  get count(): number {
    return this.data.docIds.length;
  }

  get params(): Bm25Params {
    return { ...this.data.params };
  }

  /** Top-k documents for a query, ties broken by doc id ascending. */
  search(query: string, k: number): Hit[] {
    if (!(k >= 1)) throw new RangeError(`k must be ≥ 1, got ${k}`);
    const { termOffsets, postingDocs, postingFreqs } = this.data;
    const weights = new Map<number, number>();
    for (const term of this.analyzer.analyze(query)) {
      const t = this.termIndex.get(term);
      if (t !== undefined) weights.set(t, (weights.get(t) ?? 0) + 1);
    }
    const N = this.count;
    const scores = this.scores;
    const touched = this.touched;
    let nTouched = 0;
    for (const [t, boost] of weights) {
      const start = termOffsets[t];
      const end = termOffsets[t + 1];
      const df = end - start;
      const w = boost * Math.log(1 + (N - df + 0.5) / (df + 0.5));
      for (let i = start; i < end; i++) {
        const d = postingDocs[i];
        const f = postingFreqs[i];
        if (scores[d] === 0) touched[nTouched++] = d;
        scores[d] += (w * f) / (f + this.lengthNorm[this.docNorm[d]]);
      }
    }
    const hits = this.topK(nTouched, Math.min(k, nTouched));
    for (let i = 0; i < nTouched; i++) scores[touched[i]] = 0;
    return hits;
  }

  searchBatch(queries: readonly string[], k: number): Hit[][] {
    return queries.map((q) => this.search(q, k));
  }

  // A bounded min-heap over the touched documents: O(touched · log k), no full sort.
  private topK(nTouched: number, k: number): Hit[] {
    if (k === 0) return [];
    const { docIds } = this.data;
    const scores = this.scores;
    const heap = new Uint32Array(k);
    let size = 0;
    // "a ranks below b": lower score, or equal score and larger doc id.
    const below = (a: number, b: number) => scores[a] < scores[b] || (scores[a] === scores[b] && docIds[a] > docIds[b]);
    const siftDown = (i: number) => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < size && below(heap[l], heap[m])) m = l;
        if (r < size && below(heap[r], heap[m])) m = r;
        if (m === i) return;
        const tmp = heap[i];
        heap[i] = heap[m];
        heap[m] = tmp;
        i = m;
      }
    };
    for (let i = 0; i < nTouched; i++) {
      const d = this.touched[i];
      if (size < k) {
        let j = size++;
        heap[j] = d;
        while (j > 0) {
          const p = (j - 1) >> 1;
          if (!below(heap[j], heap[p])) break;
          const tmp = heap[j];
          heap[j] = heap[p];
          heap[p] = tmp;
          j = p;
        }
      } else if (below(heap[0], d)) {
        heap[0] = d;
        siftDown(0);
      }
    }
    const out = Array.from(heap.subarray(0, size));
    out.sort((a, b) => (below(a, b) ? 1 : below(b, a) ? -1 : 0));
    return out.map((d, i) => ({ docid: docIds[d], score: scores[d], rank: i + 1 }));
  }
}
