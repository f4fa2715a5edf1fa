import { BowEncoder, type BowOptions } from '../encoders/bow';

/** Character codes as tokens: no tokenizer to load, deterministic, enough for toy data. */
export const charTokens = (text: string): number[] => Array.from(text).map((c) => c.charCodeAt(0));

/**
 * A real, trainable Encoder that loads nothing (a small bag of characters): the test double for
 * code that needs an Encoder — indexing, serving, training loops — without USE or Qwen3 loading.
 */
export function tinyEncoder(options: BowOptions = {}): BowEncoder {
  return new BowEncoder({ buckets: 512, embeddingDim: 16, dim: 16, seed: 1, ...options }, charTokens);
}
