/**
 * A BERT-family `tokenizer.json` (Hugging Face tokenizers): BertNormalizer → BertPreTokenizer →
 * WordPiece → [CLS] … [SEP] post-processing, with the semantics of the Rust implementation that
 * sentence-transformers runs (the "fast" tokenizer).
 *
 * Written here rather than through @lenml/tokenizers (the transformers.js fork in node_modules) because
 * that one diverges from the Rust tokenizer on inputs users do send: it lowercases whole strings (so a
 * word-final Σ becomes ς, Rust maps every Σ to σ) and walks UTF-16 code units when spacing CJK
 * ideographs (so Extension B+ ideographs are not split out).
 */
import { promises as fsp } from 'fs';

/** Unicode White_Space plus \t \n \r (Rust's `char::is_whitespace`, BertNormalizer's is_whitespace). */
const WHITESPACE = /[\t\n\r\p{White_Space}]/u;
/** Rust's `char::is_other`: Cc, Cf, Cn, Co, Cs. */
const OTHER = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}]/u;
/** BertPreTokenizer's punctuation: ASCII punctuation or any Unicode P* category. */
const PUNCTUATION = /[!-/:-@[-`{-~\p{P}]/u;
const NONSPACING_MARK = /\p{Mn}/u;

function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** Python's `str.isspace()` set: what sentence-transformers' `str(s).strip()` removes. */
const PY_SPACE = new Set([...'\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000']);

export function pythonStrip(s: string): string {
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  while (a < b && PY_SPACE.has(chars[a])) a++;
  while (b > a && PY_SPACE.has(chars[b - 1])) b--;
  return chars.slice(a, b).join('');
}

export interface BertNormalizerConfig {
  cleanText: boolean;
  handleChineseChars: boolean;
  stripAccents: boolean;
  lowercase: boolean;
}

export function bertNormalize(text: string, c: BertNormalizerConfig): string {
  let chars = [...text];
  if (c.cleanText) {
    chars = chars.filter((ch) => {
      const cp = ch.codePointAt(0) ?? 0;
      if (cp === 0 || cp === 0xfffd) return false;
      if (ch === '\t' || ch === '\n' || ch === '\r') return true;
      return !OTHER.test(ch);
    });
    chars = chars.map((ch) => (WHITESPACE.test(ch) ? ' ' : ch));
  }
  if (c.handleChineseChars) chars = chars.flatMap((ch) => (isChineseChar(ch.codePointAt(0) ?? 0) ? [' ', ch, ' '] : [ch]));
  if (c.stripAccents) chars = [...chars.join('').normalize('NFD')].filter((ch) => !NONSPACING_MARK.test(ch));
  // Per character, like Rust's char::to_lowercase (no context-dependent final sigma).
  if (c.lowercase) chars = chars.map((ch) => ch.toLowerCase());
  return chars.join('');
}

/** Splits on whitespace (dropped) and isolates every punctuation character. */
export function bertPreTokenize(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  for (const ch of text) {
    if (WHITESPACE.test(ch)) {
      if (cur) words.push(cur);
      cur = '';
    } else if (PUNCTUATION.test(ch)) {
      if (cur) words.push(cur);
      words.push(ch);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur) words.push(cur);
  return words;
}

export interface WordPieceConfig {
  vocab: Map<string, number>;
  unkToken: string;
  prefix: string;
  maxInputCharsPerWord: number;
}

/** Greedy longest-match-first WordPiece; a word with any unmatched piece becomes one [UNK]. */
export function wordPiece(word: string, c: WordPieceConfig): number[] {
  const unk = c.vocab.get(c.unkToken);
  if (unk === undefined) throw new Error(`WordPiece: unk_token ${JSON.stringify(c.unkToken)} is not in the vocabulary`);
  const chars = [...word];
  if (chars.length > c.maxInputCharsPerWord) return [unk];
  const ids: number[] = [];
  let start = 0;
  while (start < chars.length) {
    let end = chars.length;
    let found: number | undefined;
    while (start < end) {
      const piece = (start > 0 ? c.prefix : '') + chars.slice(start, end).join('');
      found = c.vocab.get(piece);
      if (found !== undefined) break;
      end--;
    }
    if (found === undefined) return [unk];
    ids.push(found);
    start = end;
  }
  return ids;
}

export interface Encoded {
  ids: number[];
  typeIds: number[];
}

interface SpecialPiece {
  id: number;
  typeId: number;
}

export class WordPieceTokenizer {
  constructor(
    readonly file: string,
    private readonly normalizer: BertNormalizerConfig | null,
    private readonly model: WordPieceConfig,
    /** Tokens around the sequence (e.g. [CLS] before, [SEP] after). */
    private readonly before: SpecialPiece[],
    private readonly after: SpecialPiece[],
    /** Added tokens matched verbatim in the raw text before normalisation ([MASK], [SEP]…). */
    private readonly added: Map<string, number>,
    readonly padId: number,
  ) {}

  static async load(file: string): Promise<WordPieceTokenizer> {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(await fsp.readFile(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${file}: missing (a BERT-family folder needs tokenizer.json)`);
      throw new Error(`${file}: invalid JSON (${(err as Error).message})`);
    }
    return WordPieceTokenizer.fromJson(json, file);
  }

  static fromJson(json: Record<string, unknown>, file = 'tokenizer.json'): WordPieceTokenizer {
    const model = json.model as Record<string, unknown> | undefined;
    if (!model || model.type !== 'WordPiece') throw new Error(`${file}: field "model.type" is ${JSON.stringify(model?.type)}; only WordPiece (BERT-family) tokenizers are supported`);
    if (!model.vocab || typeof model.vocab !== 'object') throw new Error(`${file}: field "model.vocab" must be an object`);
    const vocab = new Map(Object.entries(model.vocab as Record<string, number>));
    const wp: WordPieceConfig = {
      vocab,
      unkToken: typeof model.unk_token === 'string' ? model.unk_token : '[UNK]',
      prefix: typeof model.continuing_subword_prefix === 'string' ? model.continuing_subword_prefix : '##',
      maxInputCharsPerWord: typeof model.max_input_chars_per_word === 'number' ? model.max_input_chars_per_word : 100,
    };
    if (!vocab.has(wp.unkToken)) throw new Error(`${file}: field "model.unk_token" ${JSON.stringify(wp.unkToken)} is not in model.vocab`);

    const n = json.normalizer as Record<string, unknown> | null | undefined;
    let normalizer: BertNormalizerConfig | null = null;
    if (n) {
      if (n.type !== 'BertNormalizer') throw new Error(`${file}: field "normalizer.type" is ${JSON.stringify(n.type)}; only BertNormalizer is supported`);
      const lowercase = n.lowercase !== false;
      normalizer = {
        cleanText: n.clean_text !== false,
        handleChineseChars: n.handle_chinese_chars !== false,
        // null / absent strip_accents follows lowercase (the Rust deserialiser's rule).
        stripAccents: typeof n.strip_accents === 'boolean' ? n.strip_accents : lowercase,
        lowercase,
      };
    }
    const pre = json.pre_tokenizer as Record<string, unknown> | null | undefined;
    if (pre && pre.type !== 'BertPreTokenizer') throw new Error(`${file}: field "pre_tokenizer.type" is ${JSON.stringify(pre.type)}; only BertPreTokenizer is supported`);

    const idOf = (tok: string, field: string): number => {
      const id = vocab.get(tok);
      if (id === undefined) throw new Error(`${file}: ${field} names token ${JSON.stringify(tok)}, which is not in model.vocab`);
      return id;
    };
    const before: SpecialPiece[] = [];
    const after: SpecialPiece[] = [];
    const post = json.post_processor as Record<string, unknown> | null | undefined;
    if (post) {
      if (post.type === 'BertProcessing') {
        const cls = post.cls as [string, number];
        const sep = post.sep as [string, number];
        before.push({ id: cls[1], typeId: 0 });
        after.push({ id: sep[1], typeId: 0 });
      } else if (post.type === 'TemplateProcessing') {
        const single = post.single as Array<Record<string, { id: string; type_id?: number }>>;
        const specials = (post.special_tokens ?? {}) as Record<string, { ids: number[] }>;
        if (!Array.isArray(single)) throw new Error(`${file}: field "post_processor.single" must be an array`);
        let seen = false;
        for (const piece of single) {
          if (piece.Sequence) {
            seen = true;
            continue;
          }
          const sp = piece.SpecialToken;
          if (!sp) throw new Error(`${file}: post_processor.single has an unknown piece ${JSON.stringify(piece)}`);
          const ids = specials[sp.id]?.ids ?? [idOf(sp.id, 'post_processor.single')];
          for (const id of ids) (seen ? after : before).push({ id, typeId: sp.type_id ?? 0 });
        }
      } else {
        throw new Error(`${file}: field "post_processor.type" is ${JSON.stringify(post.type)}; expected BertProcessing or TemplateProcessing`);
      }
    }
    const added = new Map<string, number>();
    for (const t of (json.added_tokens ?? []) as Array<{ id: number; content: string; normalized?: boolean }>) {
      if (t.normalized === false || t.normalized === undefined) added.set(t.content, t.id);
    }
    const padding = json.padding as { pad_id?: number } | null | undefined;
    const padId = padding?.pad_id ?? vocab.get('[PAD]') ?? 0;
    return new WordPieceTokenizer(file, normalizer, wp, before, after, added, padId);
  }

  /** Number of special tokens the post-processor adds to one sequence. */
  get specialCount(): number {
    return this.before.length + this.after.length;
  }

  /** Token ids of the text without special tokens. */
  tokenize(text: string): number[] {
    const ids: number[] = [];
    for (const part of this.splitAdded(text)) {
      if (typeof part === 'number') {
        ids.push(part);
        continue;
      }
      const norm = this.normalizer ? bertNormalize(part, this.normalizer) : part;
      for (const w of bertPreTokenize(norm)) ids.push(...wordPiece(w, this.model));
    }
    return ids;
  }

  /**
   * Tokenises with special tokens, truncating the text's tokens so the whole sequence (specials
   * included) fits `maxLength` — Hugging Face's `truncation=True, max_length=…` for one sequence.
   */
  encode(text: string, maxLength = Infinity): Encoded {
    const body = this.tokenize(text).slice(0, Math.max(0, maxLength - this.specialCount));
    return {
      ids: [...this.before.map((s) => s.id), ...body, ...this.after.map((s) => s.id)],
      typeIds: [...this.before.map((s) => s.typeId), ...body.map(() => 0), ...this.after.map((s) => s.typeId)],
    };
  }

  private splitAdded(text: string): Array<string | number> {
    if (this.added.size === 0) return [text];
    const out: Array<string | number> = [];
    let rest = text;
    // Longest added token first at each position, as the Rust AddedVocabulary's matcher does.
    const tokens = [...this.added.keys()].filter((t) => t.length > 0).sort((a, b) => b.length - a.length);
    while (rest.length) {
      let best = -1;
      let tok = '';
      for (const t of tokens) {
        const i = rest.indexOf(t);
        if (i >= 0 && (best < 0 || i < best || (i === best && t.length > tok.length))) {
          best = i;
          tok = t;
        }
      }
      if (best < 0) {
        out.push(rest);
        break;
      }
      if (best > 0) out.push(rest.slice(0, best));
      out.push(this.added.get(tok) as number);
      rest = rest.slice(best + tok.length);
    }
    return out;
  }
}
