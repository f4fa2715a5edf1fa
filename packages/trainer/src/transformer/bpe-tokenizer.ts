/**
 * A byte-level BPE `tokenizer.json` (Qwen2/Qwen3, GPT-2 style) as Hugging Face's fast tokenizer runs
 * it for sentence-transformers. The text → token part (normaliser, regex pre-tokeniser, byte-level
 * mapping, merges, added tokens) is @lenml/tokenizers (a transformers.js fork that loads any
 * tokenizer.json offline); the sequence-level part is done here so it follows the folder exactly:
 * the post-processor's special tokens (Qwen3-Embedding's TemplateProcessing appends `<|endoftext|>`;
 * the base Qwen3 tokenizer's ByteLevel post-processor adds nothing), truncation that keeps room for
 * them, the pad token and the padding side of `tokenizer_config.json`.
 */
import { readJsonIfPresent } from './hf-config';
import * as path from 'path';
import type { Encoded } from './wordpiece-tokenizer';

interface LenmlTokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): number[];
}

export type PaddingSide = 'left' | 'right';

/** Special-token ids before and after the sequence from a tokenizer.json `post_processor`. */
export function postProcessorSpecials(post: Record<string, unknown> | null | undefined, tokenId: (tok: string) => number | undefined, file = 'tokenizer.json'): { before: number[]; after: number[] } {
  const before: number[] = [];
  const after: number[] = [];
  if (!post) return { before, after };
  const collect = (p: Record<string, unknown>) => {
    if (p.type === 'ByteLevel') return; // offsets only; adds no tokens
    if (p.type === 'Sequence') {
      for (const q of (p.processors ?? []) as Array<Record<string, unknown>>) collect(q);
      return;
    }
    if (p.type !== 'TemplateProcessing') throw new Error(`${file}: field "post_processor.type" is ${JSON.stringify(p.type)}; supported for byte-level BPE: TemplateProcessing, ByteLevel, Sequence`);
    const single = p.single as Array<Record<string, { id: string }>>;
    if (!Array.isArray(single)) throw new Error(`${file}: field "post_processor.single" must be an array`);
    const specials = (p.special_tokens ?? {}) as Record<string, { ids?: number[] }>;
    let seen = false;
    for (const piece of single) {
      if (piece.Sequence) {
        seen = true;
        continue;
      }
      const sp = piece.SpecialToken;
      if (!sp) throw new Error(`${file}: post_processor.single has an unknown piece ${JSON.stringify(piece)}`);
      let ids = specials[sp.id]?.ids;
      if (!ids) {
        const id = tokenId(sp.id);
        if (id === undefined) throw new Error(`${file}: post_processor.single names token ${JSON.stringify(sp.id)}, which is neither in special_tokens nor in the vocabulary`);
        ids = [id];
      }
      (seen ? after : before).push(...ids);
    }
  };
  collect(post);
  return { before, after };
}

export class ByteLevelBpeTokenizer {
  private constructor(
    readonly file: string,
    private readonly inner: LenmlTokenizer,
    private readonly before: number[],
    private readonly after: number[],
    readonly padId: number,
    readonly paddingSide: PaddingSide,
  ) {}

  /** Loads `tokenizer.json` (and `tokenizer_config.json` beside it, for the pad token and padding side). */
  static async load(file: string): Promise<ByteLevelBpeTokenizer> {
    const json = await readJsonIfPresent(file, 'the tokenizer');
    if (!json) throw new Error(`${file}: missing (a Qwen3 folder needs tokenizer.json)`);
    const model = json.model as Record<string, unknown> | undefined;
    if (!model || model.type !== 'BPE') throw new Error(`${file}: field "model.type" is ${JSON.stringify(model?.type)}; expected BPE (byte-level BPE such as Qwen3's)`);
    const configFile = path.join(path.dirname(file), 'tokenizer_config.json');
    const config = (await readJsonIfPresent(configFile, 'the tokenizer config')) ?? {};
    const vocab = (model.vocab ?? {}) as Record<string, number>;
    const added = new Map<string, number>();
    for (const t of (json.added_tokens ?? []) as Array<{ id: number; content: string }>) added.set(t.content, t.id);
    const tokenId = (tok: string) => added.get(tok) ?? vocab[tok];
    const { before, after } = postProcessorSpecials(json.post_processor as Record<string, unknown> | null, tokenId, file);

    const padding = json.padding as { pad_id?: number; direction?: string } | null | undefined;
    const padToken = typeof config.pad_token === 'string' ? config.pad_token : (config.pad_token as { content?: string } | undefined)?.content;
    let padId = padding?.pad_id ?? (padToken !== undefined ? tokenId(padToken) : undefined);
    if (padId === undefined && padToken !== undefined) throw new Error(`${configFile}: field "pad_token" ${JSON.stringify(padToken)} is not a token of ${file}`);
    // Padding positions are masked out, so any id works when the folder names none; use id 0.
    padId ??= 0;
    const side = config.padding_side ?? (padding?.direction === 'Left' ? 'left' : 'right');
    if (side !== 'left' && side !== 'right') throw new Error(`${configFile}: field "padding_side" must be "left" or "right", got ${JSON.stringify(side)}`);

    // The post-processor is applied here (truncation must leave room for it), so the library gets none.
    const { TokenizerLoader } = require('@lenml/tokenizers') as { TokenizerLoader: { fromPreTrained(m: { tokenizerJSON: unknown; tokenizerConfig: unknown }): LenmlTokenizer } };
    let inner: LenmlTokenizer;
    try {
      inner = TokenizerLoader.fromPreTrained({ tokenizerJSON: { ...json, post_processor: null }, tokenizerConfig: { ...config, add_bos_token: false, add_eos_token: false } });
    } catch (err) {
      throw new Error(`${file}: could not build the tokenizer (${(err as Error).message})`);
    }
    return new ByteLevelBpeTokenizer(file, inner, before, after, padId, side);
  }

  /** Number of special tokens the post-processor adds to one sequence. */
  get specialCount(): number {
    return this.before.length + this.after.length;
  }

  /** Token ids of the text without special tokens. */
  tokenize(text: string): number[] {
    return this.inner.encode(text, { add_special_tokens: false });
  }

  /**
   * Tokens with the post-processor's specials, the text truncated so the whole sequence fits
   * `maxLength` (Hugging Face's `truncation=True, max_length=…` for one sequence).
   */
  encode(text: string, maxLength = Infinity): Encoded {
    const body = this.tokenize(text).slice(0, Math.max(0, maxLength - this.specialCount));
    const ids = [...this.before, ...body, ...this.after];
    return { ids, typeIds: ids.map(() => 0) };
  }
}
