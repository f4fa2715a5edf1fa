// Test doubles of @lrat/indexer, published as `@lrat/indexer/testing`: a deterministic hashing
// embedder (no model download) and seeded random vectors for index tests and benchmarks.
export { HashingEmbedder } from './hashing-embedder';
export { randomVectors } from './random-vectors';
