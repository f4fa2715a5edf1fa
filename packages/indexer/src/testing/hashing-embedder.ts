import type { TextEmbedder } from '../embedder';

/**
 * A deterministic TextEmbedder for tests: a bag of hashed, lower-cased words ("feature hashing"), so
 * texts sharing words get similar vectors and retrieval results are meaningful yet model-free.
 */
export class HashingEmbedder implements TextEmbedder {
  readonly id: string;
  readonly version: string;
  calls = { queries: 0, documents: 0 };

  constructor(readonly dim = 64, options: { id?: string; version?: string } = {}) {
    this.id = options.id ?? 'hashing';
    this.version = options.version ?? `v1-d${dim}`;
  }

  private embed(texts: string[]): Float32Array {
    const out = new Float32Array(texts.length * this.dim);
    texts.forEach((text, i) => {
      for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
        let h = 2166136261;
        for (let c = 0; c < word.length; c++) h = Math.imul(h ^ word.charCodeAt(c), 16777619);
        const slot = (h >>> 0) % this.dim;
        out[i * this.dim + slot] += (h & 0x80000000) !== 0 ? -1 : 1;
      }
    });
    return out;
  }

  async embedQueries(texts: string[]): Promise<Float32Array> {
    this.calls.queries += texts.length;
    return this.embed(texts);
  }

  async embedDocuments(texts: string[]): Promise<Float32Array> {
    this.calls.documents += texts.length;
    return this.embed(texts);
  }
}
