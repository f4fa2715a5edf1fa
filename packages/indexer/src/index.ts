// Public API of @lrat/indexer.
export type { TextEmbedder } from './embedder';
