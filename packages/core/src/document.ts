// The corpus document every stage passes around: the indexer indexes it, the search tool shows it,
// the miner takes positives and negatives from it. One shape, keyed like `Hit.docid`.

/** A corpus document. `title` is optional (absent or empty: no title). */
export interface Doc {
  docid: string;
  title?: string;
  text: string;
}

/**
 * The text a document is indexed under, a browse returns and a mined sample holds: title and body
 * joined by one space ("flat", as Anserini's BEIR runs and the official builder join them); the body
 * alone when there is no title.
 */
export function documentText(doc: { title?: string; text: string }): string {
  return doc.title ? `${doc.title} ${doc.text}` : doc.text;
}
