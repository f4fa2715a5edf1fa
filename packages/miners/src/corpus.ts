import { documentText, readCorpus } from '@lrat/core';

// The document store the miner reads positive and negative texts from: docid → the text a mined
// sample holds (title + " " + body for a titled BEIR record, as the retriever encodes it). The file is
// read by @lrat/core's corpus reader in its Python-faithful mode, so ids, texts and "later lines win"
// match the official builder byte for byte.

export interface Corpus {
  get(docid: string): string | undefined;
  has(docid: string): boolean;
  readonly size: number;
}

export class MapCorpus implements Corpus {
  constructor(private readonly docs: Map<string, string> = new Map()) {}
  get(docid: string): string | undefined {
    return this.docs.get(docid);
  }
  has(docid: string): boolean {
    return this.docs.has(docid);
  }
  set(docid: string, text: string): void {
    this.docs.set(docid, text);
  }
  get size(): number {
    return this.docs.size;
  }
}

/** Loads a corpus file as the official builder does. A malformed line is an error naming file, line and field. */
export async function loadMinerCorpus(file: string): Promise<MapCorpus> {
  const corpus = new MapCorpus();
  for await (const doc of readCorpus(file, { python: true })) corpus.set(doc.docid, documentText(doc));
  return corpus;
}
