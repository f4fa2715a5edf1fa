import { loadQwen3Codec, type TokenCodec } from './qwen3-codec';
import { whitespaceTokens } from './whitespace-tokens';

/**
 * Snippets: the first N tokens of a document, as the official search tool shows them. The one snippet
 * cutter: the search tool (@lrat/trajectory's `createSearchTool`) uses it for @lrat/agents' agents and
 * for @lrat/server alike.
 *
 * The official tool (LRAT `searcher/tools.py`, BrowseComp-Plus `searcher/tools.py`) tokenizes the
 * document with the Qwen3 tokenizer (no special tokens); a document longer than N tokens is cut to its
 * first N tokens and decoded (skipping special tokens), a shorter one is returned whole. `qwen3` does
 * exactly that. `whitespace` is the light alternative: tokens are runs of non-whitespace (Python's
 * `str.split()`), the snippet is the first N joined by single spaces, or the text unchanged when it
 * has at most N tokens.
 */
export interface Snippeter {
  readonly tokenizer: SnippetTokenizer;
  readonly maxTokens: number;
  snippet(text: string): string;
}

export type SnippetTokenizer = 'qwen3' | 'whitespace';

// Tokens as Python's str.split() (not JavaScript's \s, which also splits at U+FEFF), so snippets and
// the official builder's token counts agree.
export function whitespaceSnippeter(maxTokens: number): Snippeter {
  checkMax(maxTokens);
  return {
    tokenizer: 'whitespace',
    maxTokens,
    snippet(text) {
      const tokens = whitespaceTokens(text);
      return tokens.length > maxTokens ? tokens.slice(0, maxTokens).join(' ') : text;
    },
  };
}

/**
 * Cuts with a token codec, tokenizing only a prefix of long documents: the prefix ends just before a
 * space or tab that follows a non-space character, where no Qwen2/3 pre-token can straddle the cut
 * (letters, digits and punctuation runs all stop at a space; only CR/LF can extend a punctuation run),
 * so the prefix's tokens are exactly the first tokens of the whole text.
 */
export function codecSnippeter(codec: TokenCodec, maxTokens: number, tokenizer: SnippetTokenizer = 'qwen3'): Snippeter {
  checkMax(maxTokens);
  return {
    tokenizer,
    maxTokens,
    snippet(text) {
      // English runs ≈ 4 characters per Qwen3 token: 6 per token usually covers N tokens in one pass.
      let reach = Math.max(128, maxTokens * 6);
      for (;;) {
        const cut = reach < text.length ? safeCut(text, reach) : -1;
        const ids = codec.encode(cut < 0 ? text : text.slice(0, cut));
        if (cut < 0) return ids.length > maxTokens ? codec.decode(ids.slice(0, maxTokens)) : text;
        // A prefix that is strictly shorter than the text has fewer tokens than the text has.
        if (ids.length >= maxTokens) return codec.decode(ids.slice(0, maxTokens));
        reach *= 2;
      }
    },
  };
}

/** First index ≥ from where text[i] is a space/tab and text[i-1] is not whitespace; -1 if none. */
export function safeCut(text: string, from: number): number {
  for (let i = Math.max(1, from); i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 0x20 || c === 0x09) && !/\s/.test(text[i - 1])) return i;
  }
  return -1;
}

/** `--snippet-tokens -1`, as BrowseComp-Plus's searcher: no truncation, the snippet is the whole text. */
export const FULL_TEXT = -1;

export function fullTextSnippeter(tokenizer: SnippetTokenizer = 'qwen3'): Snippeter {
  return { tokenizer, maxTokens: FULL_TEXT, snippet: (text) => text };
}

export async function createSnippeter(tokenizer: SnippetTokenizer, maxTokens: number): Promise<Snippeter> {
  if (maxTokens === FULL_TEXT && (tokenizer === 'whitespace' || tokenizer === 'qwen3')) return fullTextSnippeter(tokenizer);
  if (tokenizer === 'whitespace') return whitespaceSnippeter(maxTokens);
  if (tokenizer === 'qwen3') return codecSnippeter(await loadQwen3Codec(), maxTokens, 'qwen3');
  throw new Error(`unknown snippet tokenizer ${JSON.stringify(tokenizer)} (use qwen3 or whitespace)`);
}

function checkMax(maxTokens: number): void {
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new Error(`snippet length must be a positive integer (or -1 for the full text), got ${maxTokens}`);
}

/**
 * Snippets are a pure function of (document text, settings): cache them per doc id, bounded (LRU).
 * An entry is used only while the document text is the same, so one cache safely outlives a hot swap
 * to a new index over the same (or a changed) corpus.
 */
export class SnippetCache {
  readonly capacity: number;
  private readonly entries = new Map<string, { text: string; snippet: string }>();
  constructor(
    private readonly snippeter: Snippeter,
    capacity = 200_000,
  ) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.entries.size;
  }

  get(docid: string, text: string): string {
    const hit = this.entries.get(docid);
    if (hit !== undefined && hit.text === text) {
      this.entries.delete(docid);
      this.entries.set(docid, hit);
      return hit.snippet;
    }
    const snippet = this.snippeter.snippet(text);
    this.entries.delete(docid);
    this.entries.set(docid, { text, snippet });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return snippet;
  }
}
