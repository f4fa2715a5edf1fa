// Test doubles of @lrat/trainer, published as `@lrat/trainer/testing`: a tiny bag-of-words encoder
// over character codes and a generated tiny Qwen3 checkpoint, small enough for unit tests.
export { tinyEncoder, charTokens } from './tiny-encoder';
export { writeTinyQwen3 } from './tiny-qwen3';
export type { TinyQwen3Options } from './tiny-qwen3';
