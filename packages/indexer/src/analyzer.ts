// A text analyzer modelled on Lucene's EnglishAnalyzer as Anserini configures it for BM25:
// StandardTokenizer → EnglishPossessiveFilter → LowerCaseFilter → StopFilter → PorterStemFilter.
// The BM25 quality bar (Anserini's SciFact numbers) depends on producing the same terms, so each
// stage follows the Lucene stage it stands for; the tokenizer approximates UAX#29 word breaks.

/** Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET (the 33 classic stopwords). */
export const LUCENE_ENGLISH_STOPWORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it', 'no',
  'not', 'of', 'on', 'or', 'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they', 'this', 'to',
  'was', 'will', 'with',
]);

/** Lucene's StandardTokenizer drops longer tokens (its default maxTokenLength). */
const MAX_TOKEN_LENGTH = 255;

// UAX#29 keeps a word together across one "mid" character between word characters: an apostrophe or
// full stop (MidNumLet, e.g. "don't", "u.s.a", "3.5"), and a comma or semicolon between digits (MidNum,
// "1,000"). Ideographs and kana are one token per character. Everything else separates tokens.
const TOKEN_RE =
  /[\p{Script=Han}\p{Script=Hiragana}]|[\p{L}\p{M}\p{N}_\p{Pc}]+(?:(?:['’.](?=[\p{L}\p{M}\p{N}])|[,;](?=\p{N}))[\p{L}\p{M}\p{N}_\p{Pc}]+)*/gu;

/** Splits text into raw word tokens (before case folding). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    const t = m[0];
    if (t.length > MAX_TOKEN_LENGTH) continue;
    // The regex lets a comma join a letter run to digits ("protein,5"); UAX#29 joins digit to digit only.
    if (t.includes(',') || t.includes(';')) out.push(...splitMidNum(t));
    else out.push(t);
  }
  return out;
}

// "1,000" stays whole, but "protein,5" breaks at the comma: MidNum joins only digit to digit.
function splitMidNum(token: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < token.length; i++) {
    const ch = token[i];
    if (ch !== ',' && ch !== ';') continue;
    const before = token[i - 1] ?? '';
    const after = token[i + 1] ?? '';
    if (/\p{N}/u.test(before) && /\p{N}/u.test(after)) continue;
    parts.push(token.slice(start, i));
    start = i + 1;
  }
  parts.push(token.slice(start));
  return parts.filter((p) => p.length > 0);
}

/** EnglishPossessiveFilter: removes a trailing 's (any apostrophe form, either case of s). */
export function removePossessive(token: string): string {
  const n = token.length;
  if (n >= 2) {
    const last = token[n - 1];
    const apos = token[n - 2];
    if ((last === 's' || last === 'S') && (apos === "'" || apos === '\u2019' || apos === '\uFF07')) {
      return token.slice(0, n - 2);
    }
  }
  return token;
}

export type Stemmer = (word: string) => string;

let porter: Stemmer | undefined;
function porterStemmer(): Stemmer {
  // Loaded lazily so that metrics-only users never pay for it.
  porter ??= require('@stdlib/nlp-porter-stemmer') as Stemmer;
  return porter;
}

export interface AnalyzerOptions {
  stopwords?: ReadonlySet<string>;
  /** false disables stemming (for debugging or non-English text). */
  stem?: boolean;
}

/** The analyzer used for both documents and queries, so they produce comparable terms. */
export class EnglishAnalyzer {
  private readonly stopwords: ReadonlySet<string>;
  private readonly stem: boolean;
  // Stemming dominates analysis time and the vocabulary is Zipfian: memoise per surface form.
  private readonly cache = new Map<string, string>();

  constructor(options: AnalyzerOptions = {}) {
    this.stopwords = options.stopwords ?? LUCENE_ENGLISH_STOPWORDS;
    this.stem = options.stem ?? true;
  }

  analyze(text: string): string[] {
    const terms: string[] = [];
    for (const raw of tokenize(text)) {
      const lower = removePossessive(raw).toLowerCase();
      if (lower.length === 0 || this.stopwords.has(lower)) continue;
      terms.push(this.stemOf(lower));
    }
    return terms;
  }

  private stemOf(word: string): string {
    if (!this.stem) return word;
    let s = this.cache.get(word);
    if (s === undefined) {
      // Like Lucene's PorterStemmer, every token is stemmed; digits count as consonants.
      s = porterStemmer()(word);
      if (this.cache.size < 1_000_000) this.cache.set(word, s);
    }
    return s;
  }
}
